#include "sched/matching.hpp"

#include <algorithm>

namespace ia::sched {

bool fits(const api::TaskSpec& spec, const api::Resources& free,
          const std::vector<std::string>& node_labels) {
  // The epsilon keeps 0.1 + 0.2 worth of requests from missing a 0.3 core free.
  if (spec.resources.cpu > free.cpu + 1e-9) return false;
  if (spec.resources.memory_mib > free.memory_mib) return false;
  if (spec.resources.gpu > free.gpu) return false;
  return std::all_of(spec.labels.begin(), spec.labels.end(), [&](const std::string& label) {
    return std::find(node_labels.begin(), node_labels.end(), label) != node_labels.end();
  });
}

api::Resources subtract(api::Resources free, const api::Resources& used) {
  free.cpu -= used.cpu;
  free.memory_mib -= used.memory_mib;
  free.gpu -= used.gpu;
  return free;
}

api::Resources min_each(const api::Resources& a, const api::Resources& b) {
  return api::Resources{std::min(a.cpu, b.cpu), std::min(a.memory_mib, b.memory_mib),
                        std::min(a.gpu, b.gpu)};
}

}  // namespace ia::sched
