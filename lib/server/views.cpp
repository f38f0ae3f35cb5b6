#include "server/views.hpp"

#include "api/answers.hpp"
#include "api/errors.hpp"
#include "core/time.hpp"

namespace ia::server {

std::string task_json(const api::Task& task) {
  json::Writer out;
  api::write_task(out, task, true);
  return out.take();
}

std::string task_list_json(const std::vector<const api::Task*>& tasks,
                           std::optional<std::int64_t> next_after) {
  json::Writer out;
  out.begin_object().key("tasks").begin_array();
  for (const api::Task* task : tasks) api::write_task(out, *task, false);
  out.end_array().key("next_after");
  if (next_after) {
    out.integer(*next_after);
  } else {
    out.null();
  }
  out.end_object();
  return out.take();
}

http::Response submitted_response(std::int64_t task_id) {
  http::Response response;
  response.status = 201;
  response.body = R"({"task_id":)" + std::to_string(task_id) + R"(,"status":"queued"})";
  return response;
}

std::string finished_json(const api::Task& task) {
  return R"({"task_id":)" + std::to_string(task.id) + R"(,"status":")" +
         std::string(api::to_string(task.state)) + R"("})";
}

std::string heartbeat_json(std::string_view, const std::vector<api::LeaseRef>& cancel,
                           const sched::Settings& settings) {
  return api::write_heartbeat_answer(
      api::HeartbeatAnswer{cancel, static_cast<double>(settings.heartbeat_interval_ms) / 1000.0,
                           static_cast<double>(settings.lease_ttl_ms()) / 1000.0});
}

std::string lease_json(const api::Task& task, const sched::Settings& settings) {
  return api::write_lease_answer(
      api::LeaseAnswer{task.id, task.attempt, task.spec, task.lease_id,
                       static_cast<double>(settings.lease_ttl_ms()) / 1000.0,
                       static_cast<double>(settings.heartbeat_interval_ms) / 1000.0,
                       static_cast<std::int64_t>(task.output.size())});
}

http::Response saved_answer(const Status& saved, int status, std::string body) {
  if (!saved) {
    return http::Response{503, "application/json",
                          api::error_body(make_error(ErrorCode::unavailable,
                                                     "store: " + saved.error().message,
                                                     "the change was not saved; retry")),
                          {}, {}};
  }
  return http::Response{status, "application/json", std::move(body), {}, {}};
}

http::Response lease_response(std::string_view, const api::Task* task,
                              const sched::Settings& settings) {
  if (!task) return http::Response{204, "application/json", "", {}, {}};
  return http::Response{200, "application/json", lease_json(*task, settings), {}, {}};
}

void write_node(json::Writer& out, const NodeShown& shown) {
  const sched::Node& node = *shown.node;
  out.begin_object().field("node_id", node.record.id);
  out.field("status", !node.online ? "offline" : node.running.empty() ? "idle" : "busy");
  api::write_resources(out, "capacity", node.record.capacity);
  out.key("labels").begin_array();
  for (const std::string& label : node.record.labels) out.string(label);
  out.end_array();
  out.field("load", node.load).field("idle", node.idle);
  out.key("running").begin_array();
  for (std::int64_t id : shown.running) out.integer(id);
  out.end_array();
  out.field("completed", static_cast<long long>(node.record.completed));
  out.field("compute_time", node.record.compute_s);
  out.field("last_heartbeat", node.record.last_heartbeat_ms > 0
                                  ? format_iso8601(node.record.last_heartbeat_ms)
                                  : std::string());
  out.field("first_seen", format_iso8601(node.record.first_seen_ms));
  if (shown.show_owner) out.field("token_name", node.record.owner);
  out.end_object();
}

std::string node_json(const NodeShown& shown) {
  json::Writer out;
  write_node(out, shown);
  return out.take();
}

std::string node_list_json(const std::vector<NodeShown>& nodes) {
  json::Writer out;
  out.begin_object().key("nodes").begin_array();
  for (const NodeShown& shown : nodes) write_node(out, shown);
  out.end_array().end_object();
  return out.take();
}

std::string stats_json(const sched::Stats& stats) {
  auto count = [&](api::TaskState state) {
    auto found = stats.by_state.find(state);
    return static_cast<long long>(found == stats.by_state.end() ? 0 : found->second);
  };
  json::Writer out;
  out.begin_object().key("tasks").begin_object();
  out.field("total", static_cast<long long>(stats.tasks_total));
  for (api::TaskState state :
       {api::TaskState::queued, api::TaskState::leased, api::TaskState::running,
        api::TaskState::succeeded, api::TaskState::failed, api::TaskState::timed_out,
        api::TaskState::cancelled}) {
    out.field(api::to_string(state), count(state));
  }
  out.field("completed", count(api::TaskState::succeeded));
  out.field("average_run_time", stats.average_run_s);
  out.end_object().key("nodes").begin_object();
  out.field("total", static_cast<long long>(stats.nodes_total));
  out.field("idle", static_cast<long long>(stats.nodes_idle));
  out.field("busy", static_cast<long long>(stats.nodes_busy));
  out.field("offline", static_cast<long long>(stats.nodes_offline));
  out.end_object().key("last_hour").begin_object();
  out.field("tasks", static_cast<long long>(stats.tasks_last_hour));
  out.field("compute_hours", stats.compute_hours_last_hour).end_object();
  out.key("capacity").begin_object();
  api::write_resources(out, "online", stats.capacity_online);
  api::write_resources(out, "free", stats.capacity_free);
  out.end_object().end_object();
  return out.take();
}

std::string output_json(const api::Task& task, std::int64_t offset) {
  auto from = static_cast<std::size_t>(std::max<std::int64_t>(0, offset));
  from = std::min(from, task.output.size());
  json::Writer out;
  out.begin_object().field("task_id", static_cast<long long>(task.id));
  out.field("offset", static_cast<unsigned long>(from));
  api::write_output(out, "data", task.output.slice(from, task.output.size()));
  out.field("next_offset", static_cast<unsigned long>(task.output.size()));
  out.field("status", api::to_string(task.state));
  out.field("finished", api::is_finished(task.state));
  out.field("truncated", task.output_truncated).end_object();
  return out.take();
}

}  // namespace ia::server
