// What a person is told on stderr when a followed task has ended in a way its exit code
// alone does not explain: killed over a limit (and which flag asks for more), cancelled,
// or its output cut short. ia-submit --wait and ia-status logs --follow share it.
// Pure functions over the task's JSON.
#pragma once

#include <cstdint>
#include <string>

#include "api/task.hpp"
#include "json/value.hpp"

namespace ia::client {

// Lines (each ending in '\n', "" when there is nothing to say) about task's ending, each
// starting with "tool: ".
std::string ending_note(const std::string& tool, const json::Value& task);

// "1 CPU, 512M, 5m" (with ", 1 GPU" when asked): the requests a task runs under.
std::string requests_summary(const api::TaskSpec& spec);

}  // namespace ia::client
