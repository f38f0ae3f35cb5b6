#include "sched/unmatched.hpp"

#include <algorithm>

#include "core/strings.hpp"
#include "core/units.hpp"
#include "sched/matching.hpp"

namespace ia::sched {
namespace {

std::string cpus_text(double cpu) {
  return format_decimal(cpu, 2) + (cpu == 1 ? " CPU" : " CPUs");
}

std::string memory_text(std::int64_t mib) {
  return format_bytes(static_cast<std::uint64_t>(std::max<std::int64_t>(mib, 0)) << 20);
}

std::string gpus_text(std::int64_t gpu) {
  return std::to_string(gpu) + (gpu == 1 ? " GPU" : " GPUs");
}

bool carries(const NodeShape& node, const std::string& label) {
  return std::find(node.labels.begin(), node.labels.end(), label) != node.labels.end();
}

}  // namespace

std::string why_no_node_fits(const api::TaskSpec& spec, const std::vector<NodeShape>& nodes) {
  if (nodes.empty()) return std::string(k_no_nodes_yet);
  api::Resources most{0, 0, 0};
  for (const NodeShape& node : nodes) {
    if (fits(spec, node.capacity, node.labels)) return "";
    most.cpu = std::max(most.cpu, node.capacity.cpu);
    most.memory_mib = std::max(most.memory_mib, node.capacity.memory_mib);
    most.gpu = std::max(most.gpu, node.capacity.gpu);
  }
  const api::Resources& want = spec.resources;
  if (want.cpu > most.cpu + 1e-9) {
    return "no registered node has " + cpus_text(want.cpu) + " (the most is " +
           cpus_text(most.cpu) + ")";
  }
  if (want.memory_mib > most.memory_mib) {
    return "no registered node has " + memory_text(want.memory_mib) + " of memory (the most is " +
           memory_text(most.memory_mib) + ")";
  }
  if (want.gpu > most.gpu) {
    return "no registered node has " + gpus_text(want.gpu) + " (the most is " +
           gpus_text(most.gpu) + ")";
  }
  for (const std::string& label : spec.labels) {
    bool anyone = std::any_of(nodes.begin(), nodes.end(),
                              [&](const NodeShape& node) { return carries(node, label); });
    if (!anyone) return "no registered node carries the label " + label;
  }
  return "no single registered node has all it asks for at once";
}

}  // namespace ia::sched
