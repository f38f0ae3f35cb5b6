// Whether any registered node could ever run a task, on its whole capacity and labels
// (not what is free now): a task none could take would wait forever, and the person who
// submits it should hear why. Pure functions; thread safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/task.hpp"

namespace ia::sched {

inline constexpr std::string_view k_no_nodes_yet = "no node has registered yet";

struct NodeShape {
  api::Resources capacity;
  std::vector<std::string> labels;
};

// "" when some node could run spec; else why none can, naming what the best node has:
// "no registered node has 100G of memory (the most is 16G)".
std::string why_no_node_fits(const api::TaskSpec& spec, const std::vector<NodeShape>& nodes);

}  // namespace ia::sched
