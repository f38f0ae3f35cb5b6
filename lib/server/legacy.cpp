// The earlier prototype's routes as an adapter onto the /v1 service calls: its request
// shapes in, its answer shapes and status words out (DESIGN.md §3).
#include "server/legacy.hpp"

#include "api/errors.hpp"
#include "api/fields.hpp"
#include "core/time.hpp"
#include "json/writer.hpp"
#include "server/params.hpp"
#include "server/views.hpp"

namespace ia::server::legacy {
namespace {

using Call = Service::Call;

// An agent of the prototype never says what it has; leave matching unconstrained.
const api::Resources k_unknown_capacity{4096, 1LL << 30, 0};
// /results pages: the prototype read them all at once, so a page is large.
constexpr std::int64_t k_results_page = 1000;

std::string task_json(const api::Task& task) {
  json::Writer out;
  out.begin_object().field("task_id", static_cast<long long>(task.id));
  out.field("status", api::legacy_status(task.state));
  out.key("result");
  if (api::is_finished(task.state)) {
    out.string(task.output.text());
  } else {
    out.null();
  }
  out.field("created_at", format_iso8601(task.created_ms));
  out.key("completed_at");
  if (task.finished_ms > 0) {
    out.string(format_iso8601(task.finished_ms));
  } else {
    out.null();
  }
  out.key("assigned_node");
  if (task.node_id.empty()) {
    out.null();
  } else {
    out.string(task.node_id);
  }
  out.end_object();
  return out.take();
}

http::Response submitted(std::int64_t id) {
  return http::Response{200, "application/json",
                        R"({"task_id":)" + std::to_string(id) +
                            R"(,"status":"submitted","message":"Task submitted successfully"})",
                        {}, {}};
}

std::string deleted(const api::Task& task) {
  return R"({"success":true,"task_id":)" + std::to_string(task.id) +
         R"(,"message":"Task deleted"})";
}

std::string result_taken(const api::Task& task) {
  return R"({"success":true,"task_id":)" + std::to_string(task.id) +
         R"(,"message":"Result submitted successfully"})";
}

std::string results_json(const std::vector<const api::Task*>& tasks,
                         std::optional<std::int64_t> next_after) {
  json::Writer out;
  out.begin_object().key("results").begin_array();
  for (const api::Task* task : tasks) out.raw(task_json(*task));
  out.end_array().field("count", static_cast<long long>(tasks.size()));
  out.key("next_after");
  if (next_after) {
    out.integer(*next_after);
  } else {
    out.null();
  }
  out.end_object();
  return out.take();
}

http::Response assigned(std::string_view node_id, const api::Task* task,
                        const sched::Settings&) {
  json::Writer out;
  if (task) {
    out.begin_object().field("task_id", static_cast<long long>(task->id));
    out.field("code", task->spec.code).field("status", "assigned");
    out.field("assigned_node", node_id).end_object();
  } else {
    out.begin_object().key("task_id").null().key("code").null();
    out.field("status", "no_tasks").end_object();
  }
  return http::Response{200, "application/json", out.take(), {}, {}};
}

std::string registered(std::string_view node_id, const std::vector<api::LeaseRef>&,
                       const sched::Settings&) {
  json::Writer out;
  out.begin_object().field("success", true).field("node_id", node_id);
  out.field("message", "Node registered successfully").end_object();
  return out.take();
}

std::string beat_received(std::string_view, const std::vector<api::LeaseRef>&,
                          const sched::Settings&) {
  return R"({"success":true,"message":"Heartbeat received"})";
}

std::string nodes_json(const std::vector<NodeShown>& nodes) {
  json::Writer out;
  out.begin_object().key("nodes").begin_array();
  for (const NodeShown& shown : nodes) write_node(out, shown);
  out.end_array().field("count", static_cast<long long>(nodes.size())).end_object();
  return out.take();
}

std::string stats_json(const sched::Stats& stats) {
  auto count = [&](api::TaskState state) {
    auto found = stats.by_state.find(state);
    return static_cast<long long>(found == stats.by_state.end() ? 0 : found->second);
  };
  json::Writer out;
  out.begin_object().field("total_tasks", static_cast<long long>(stats.tasks_total));
  out.field("pending", count(api::TaskState::queued));
  out.field("assigned", count(api::TaskState::leased));
  out.field("running", count(api::TaskState::running));
  out.field("completed", count(api::TaskState::succeeded));
  out.field("failed", count(api::TaskState::failed) + count(api::TaskState::timed_out));
  out.field("deleted", count(api::TaskState::cancelled));
  out.field("total_nodes", static_cast<long long>(stats.nodes_total));
  out.field("active_nodes", static_cast<long long>(stats.nodes_total - stats.nodes_offline));
  out.end_object();
  return out.take();
}

}  // namespace

void submit(Service& service, Call& call) {
  Result<api::TaskSpec> spec = api::parse_legacy_submit(call.request.body, call.options->limits);
  if (!spec) return call.fail(spec.error());
  service.submit(call, std::move(*spec), submitted);
}

void status(Service& service, Call& call) { service.get_task(call, task_json); }
void cancel(Service& service, Call& call) { service.cancel_task(call, deleted); }

void results(Service& service, Call& call) {
  Service::TaskQuery query;
  query.finished_only = true;
  Result<std::int64_t> after = int_param(call.request, "after", 0, 0, INT64_MAX);
  if (!after) return call.fail(after.error());
  Result<std::int64_t> limit =
      int_param(call.request, "limit", k_results_page, 1, k_results_page);
  if (!limit) return call.fail(limit.error());
  query.after = *after;
  query.limit = *limit;
  service.list_tasks(call, query, results_json);
}

void get_task(Service& service, Call& call) {
  const std::string* node_id = call.request.param("node_id");
  if (!node_id) {
    return call.fail(make_error(ErrorCode::invalid_argument, "node_id: missing query parameter",
                                "GET /get_task?node_id=NAME"));
  }
  if (Status ok = api::check_node_id(*node_id); !ok) return call.fail(ok.error());
  call.node_id = *node_id;
  Service::LeaseAsk ask;
  ask.register_first = api::Heartbeat{};
  ask.register_first->capacity = k_unknown_capacity;
  service.lease(call, std::move(ask), assigned);
}

void submit_result(Service& service, Call& call) {
  Result<json::Value> object = api::parse_object(call.request.body);
  if (!object) return call.fail(object.error());
  api::Fields fields(*object);
  Result<std::int64_t> id = fields.required_integer("task_id", 1, INT64_MAX);
  if (!id) return call.fail(id.error());
  Result<std::string> text = fields.string("result", false, 64 * 1024 * 1024, api::Chars::any);
  if (!text) return call.fail(text.error());
  Result<std::string> node_id = fields.string("node_id", false, 256);
  if (!node_id) return call.fail(node_id.error());
  call.task_id = *id;
  Service::Finish finish;
  finish.report.exit_code = 0;
  finish.report.state = api::TaskState::succeeded;
  finish.report.output = api::TaggedOutput(*text);
  finish.node_id = *node_id;
  service.finish(call, std::move(finish), result_taken);
}

void register_node(Service& service, Call& call) {
  Result<api::Heartbeat> beat = api::parse_legacy_register(call.request.body, call.node_id);
  if (!beat) return call.fail(beat.error());
  service.heartbeat(call, std::move(*beat), Service::Beat::full, registered);
}

void heartbeat(Service& service, Call& call) {
  Result<json::Value> object = api::parse_object(call.request.body);
  if (!object) return call.fail(object.error());
  api::Fields fields(*object);
  Result<double> load = fields.number("current_load", 0, 0, 1e6);
  if (!load) return call.fail(load.error());
  Result<bool> idle = fields.boolean("is_idle", true);
  if (!idle) return call.fail(idle.error());
  api::Heartbeat beat;
  beat.load = *load;
  beat.idle = *idle;
  service.heartbeat(call, std::move(beat), Service::Beat::liveness, beat_received);
}

void nodes(Service& service, Call& call) { service.list_nodes(call, nodes_json); }
void stats(Service& service, Call& call) { service.stats(call, stats_json); }

}  // namespace ia::server::legacy
