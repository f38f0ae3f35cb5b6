// JSON views of the scheduler's state for the /v1 and legacy answers. Pure functions;
// callers hold the service mutex while the views read the scheduler.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/task.hpp"
#include "http/message.hpp"
#include "sched/scheduler.hpp"
#include "server/principal.hpp"

namespace ia::server {

// A node as a caller may see it: the tasks it runs that the caller owns, and the
// token that speaks for it only to an admin.
struct NodeShown {
  const sched::Node* node = nullptr;
  std::vector<std::int64_t> running;
  bool show_owner = false;
};

// The answer to a request whose change was committed: status and body once saved, else
// 503 saying the change was not saved (so the caller retries).
http::Response saved_answer(const Status& saved, int status, std::string body);

std::string task_json(const api::Task& task);
std::string task_list_json(const std::vector<const api::Task*>& tasks,
                           std::optional<std::int64_t> next_after);
http::Response submitted_response(std::int64_t task_id);
std::string finished_json(const api::Task& task);
std::string heartbeat_json(std::string_view node_id, const std::vector<api::LeaseRef>& cancel,
                           const sched::Settings& settings);
// The lease a node is given: what it runs, never who submitted it.
std::string lease_json(const api::Task& task, const sched::Settings& settings);
http::Response lease_response(std::string_view node_id, const api::Task* task,
                              const sched::Settings& settings);
void write_node(json::Writer& out, const NodeShown& shown);
std::string node_json(const NodeShown& shown);
std::string node_list_json(const std::vector<NodeShown>& nodes);
std::string stats_json(const sched::Stats& stats);
std::string output_json(const api::Task& task, std::int64_t offset);

}  // namespace ia::server
