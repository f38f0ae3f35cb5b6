#include "client/node_fit.hpp"

#include "sched/unmatched.hpp"

namespace ia::client {
namespace {

api::Resources resources_of(const json::Value* object) {
  api::Resources out;
  if (!object || !object->is_object()) return out;
  if (const json::Value* cpu = object->find("cpu")) {
    out.cpu = cpu->is_int() ? static_cast<double>(cpu->as_int())
                            : cpu->is_double() ? cpu->as_double() : out.cpu;
  }
  if (const json::Value* memory = object->find("memory"); memory && memory->is_int()) {
    out.memory_mib = memory->as_int();
  }
  if (const json::Value* gpu = object->find("gpu"); gpu && gpu->is_int()) out.gpu = gpu->as_int();
  return out;
}

std::vector<std::string> strings_of(const json::Value* array) {
  std::vector<std::string> out;
  if (!array || !array->is_array()) return out;
  for (const json::Value& item : array->as_array()) {
    if (item.is_string()) out.push_back(item.as_string());
  }
  return out;
}

}  // namespace

std::string unmatched_reason(Scheduler& scheduler, const api::TaskSpec& spec) {
  Result<json::Value> answer = scheduler.get("/v1/nodes");
  if (!answer) return "";
  const json::Value* nodes = answer->find("nodes");
  if (!nodes || !nodes->is_array()) return "";
  std::vector<sched::NodeShape> shapes;
  for (const json::Value& node : nodes->as_array()) {
    shapes.push_back({resources_of(node.find("capacity")), strings_of(node.find("labels"))});
  }
  return sched::why_no_node_fits(spec, shapes);
}

std::string unmatched_reason(Scheduler& scheduler, const json::Value& task) {
  api::TaskSpec spec;
  spec.resources = resources_of(task.find("resources"));
  spec.labels = strings_of(task.find("labels"));
  return unmatched_reason(scheduler, spec);
}

}  // namespace ia::client
