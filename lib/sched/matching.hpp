// Whether a task fits a node: its cpu, memory and gpu requests within the node's free
// capacity and its labels all carried by the node. Pure functions; thread safe.
#pragma once

#include <string>
#include <vector>

#include "api/task.hpp"

namespace ia::sched {

bool fits(const api::TaskSpec& spec, const api::Resources& free,
          const std::vector<std::string>& node_labels);

api::Resources subtract(api::Resources free, const api::Resources& used);
api::Resources min_each(const api::Resources& a, const api::Resources& b);

}  // namespace ia::sched
