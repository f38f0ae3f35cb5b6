// JSON views of the scheduler's state for the /v1 and legacy answers. Pure functions;
// callers hold the service mutex while the views read the scheduler.
#pragma once

#include <string>

#include "api/task.hpp"
#include "sched/scheduler.hpp"

namespace ia::server {

std::string task_json(const api::Task& task);
std::string lease_json(const api::Task& task, const sched::Settings& settings);
void write_node(json::Writer& out, const sched::Node& node);
std::string stats_json(const sched::Stats& stats);
std::string output_json(const api::Task& task, std::int64_t offset);
std::string legacy_task_json(const api::Task& task);

}  // namespace ia::server
