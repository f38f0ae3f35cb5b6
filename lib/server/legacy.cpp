// The earlier prototype's routes (DESIGN.md §3), served beside /v1 with its shapes and
// status words so its clients and agents keep working unchanged.
#include "api/errors.hpp"
#include "api/fields.hpp"
#include "json/writer.hpp"
#include "server/service.hpp"
#include "server/views.hpp"

namespace ia::server {
namespace {

// An agent of the prototype never says what it has; leave matching unconstrained.
const api::Resources k_unknown_capacity{4096, 1LL << 30, 0};

}  // namespace

bool Service::route_legacy(Call& call) {
  const auto& s = call.segments;
  const std::string& method = call.request.method;
  std::size_t n = s.size();
  auto id_at = [&](std::size_t index) -> std::optional<std::int64_t> {
    Result<std::int64_t> id = api::parse_task_id(s[index]);
    if (!id) {
      call.fail(id.error());
      return std::nullopt;
    }
    return *id;
  };
  if (n == 1 && s[0] == "submit" && method == "POST") {
    if (!call.allow({Role::client})) return true;
    Result<api::TaskSpec> spec = api::parse_legacy_submit(call.request.body, m_options.limits);
    if (!spec) {
      call.fail(spec.error());
    } else {
      submit(call, std::move(*spec), true);
    }
  } else if (n == 1 && s[0] == "get_task" && method == "GET") {
    if (call.allow({Role::node})) legacy_get_task(call);
  } else if (n == 1 && s[0] == "submit_result" && method == "POST") {
    if (call.allow({Role::node})) legacy_submit_result(call);
  } else if (n == 2 && s[0] == "status" && method == "GET") {
    if (!call.allow({Role::client})) return true;
    if (auto id = id_at(1)) legacy_status(call, *id);
  } else if (n == 1 && s[0] == "results" && method == "GET") {
    if (call.allow({Role::client})) legacy_results(call);
  } else if (n == 3 && s[0] == "api" && s[1] == "nodes" && s[2] == "register" &&
             method == "POST") {
    if (call.allow({Role::node})) legacy_register(call);
  } else if (n == 4 && s[0] == "api" && s[1] == "nodes" && s[3] == "heartbeat" &&
             method == "POST") {
    if (!call.allow({Role::node})) return true;
    if (Status ok = api::check_node_id(s[2]); !ok) {
      call.fail(ok.error());
    } else {
      legacy_heartbeat(call, s[2]);
    }
  } else if (n == 2 && s[0] == "api" && s[1] == "nodes" && method == "GET") {
    if (call.allow({Role::client})) legacy_nodes(call);
  } else if (n == 3 && s[0] == "api" && s[1] == "tasks" && method == "DELETE") {
    if (!call.allow({Role::client})) return true;
    if (auto id = id_at(2)) cancel_task(call, *id, true);
  } else if (n == 1 && s[0] == "stats" && method == "GET") {
    if (call.allow({Role::client})) legacy_stats(call);
  } else {
    return false;
  }
  return true;
}

void Service::legacy_status(Call& call, std::int64_t id) { get_task(call, id); }

void Service::legacy_get_task(Call& call) {
  const std::string* node_id = call.request.param("node_id");
  if (!node_id) {
    return call.fail(make_error(ErrorCode::invalid_argument, "node_id: missing query parameter",
                                "GET /get_task?node_id=NAME"));
  }
  if (Status ok = api::check_node_id(*node_id); !ok) return call.fail(ok.error());
  std::lock_guard lock(m_mutex);
  if (Status ok = speaks_for(call.principal, *node_id); !ok) return call.fail(ok.error());
  sched::Changes changes;
  const sched::Node* known = m_sched.node(*node_id);
  if (!known || !known->online) {
    api::Heartbeat beat;
    beat.capacity = known ? known->record.capacity : k_unknown_capacity;
    if (known) beat.labels = known->record.labels;
    (void)m_sched.heartbeat(*node_id, beat, now(), changes);
    claim(call.principal, *node_id, changes);
  }
  Result<const api::Task*> task = m_sched.lease(*node_id, api::LeaseRequest{}, now(), changes);
  if (!task) return call.fail(task.error());
  m_sched.stop_waiting(*node_id);
  json::Writer out;
  if (*task) {
    out.begin_object().field("task_id", static_cast<long long>((*task)->id));
    out.field("code", (*task)->spec.code).field("status", "assigned");
    out.field("assigned_node", *node_id).end_object();
  } else {
    out.begin_object().key("task_id").null().key("code").null();
    out.field("status", "no_tasks").end_object();
  }
  commit(changes, [reply = call.reply, body = out.take()](const Status& status) {
    http::Response response;
    response.status = status ? 200 : 503;
    response.body = status ? body : api::error_body(status.error());
    reply(std::move(response));
  });
}

void Service::legacy_submit_result(Call& call) {
  Result<json::Value> object = api::parse_object(call.request.body);
  if (!object) return call.fail(object.error());
  api::Fields fields(*object);
  Result<std::int64_t> id = fields.required_integer("task_id", 1, INT64_MAX);
  if (!id) return call.fail(id.error());
  Result<std::string> text = fields.string("result", false, 64 * 1024 * 1024, api::Chars::any);
  if (!text) return call.fail(text.error());
  Result<std::string> node_id = fields.string("node_id", false, 256);
  if (!node_id) return call.fail(node_id.error());
  std::lock_guard lock(m_mutex);
  const api::Task* task = m_sched.task(*id);
  if (!task) {
    return call.fail(make_error(ErrorCode::task_not_found, "task " + std::to_string(*id) +
                                                               " not found"));
  }
  if (Status ok = speaks_for_task(call.principal, *id); !ok) return call.fail(ok.error());
  bool assigned = task->state == api::TaskState::leased || task->state == api::TaskState::running;
  if (assigned && !node_id->empty() && *node_id != task->node_id) {
    return call.fail(make_error(ErrorCode::conflict,
                                "task " + std::to_string(*id) + " is assigned to node " +
                                    task->node_id + ", not " + *node_id,
                                "only the node that holds the task may post its result"));
  }
  api::ResultReport report;
  report.lease_id = task->lease_id;
  report.exit_code = 0;
  report.state = api::TaskState::succeeded;
  report.output = api::TaggedOutput(*text);
  sched::Changes changes;
  Result<const api::Task*> finished = m_sched.finish(*id, report, now(), changes);
  if (!finished) return call.fail(finished.error());
  std::string body = R"({"success":true,"task_id":)" + std::to_string(*id) +
                     R"(,"message":"Result submitted successfully"})";
  commit(changes, [reply = call.reply, body = std::move(body)](const Status& status) {
    http::Response response;
    response.status = status ? 200 : 503;
    response.body = status ? body : api::error_body(status.error());
    reply(std::move(response));
  });
}

void Service::legacy_results(Call& call) {
  std::lock_guard lock(m_mutex);
  json::Writer out;
  out.begin_object().key("results").begin_array();
  long long count = 0;
  for (const api::Task* task :
       m_sched.list(std::nullopt, 0, SIZE_MAX, owner_filter(call.principal))) {
    if (!api::is_finished(task->state)) continue;
    out.raw(legacy_task_json(*task));
    ++count;
  }
  out.end_array().field("count", count).end_object();
  send_read(call, out.take());
}

void Service::legacy_register(Call& call) {
  std::string node_id;
  Result<api::Heartbeat> beat = api::parse_legacy_register(call.request.body, node_id);
  if (!beat) return call.fail(beat.error());
  std::lock_guard lock(m_mutex);
  if (Status ok = speaks_for(call.principal, node_id); !ok) return call.fail(ok.error());
  sched::Changes changes;
  (void)m_sched.heartbeat(node_id, *beat, now(), changes);
  claim(call.principal, node_id, changes);
  std::string body = R"({"success":true,"node_id":")" + node_id +
                     R"(","message":"Node registered successfully"})";
  commit(changes, [reply = call.reply, body = std::move(body)](const Status& status) {
    http::Response response;
    response.status = status ? 200 : 503;
    response.body = status ? body : api::error_body(status.error());
    reply(std::move(response));
  });
}

void Service::legacy_heartbeat(Call& call, const std::string& node_id) {
  Result<json::Value> object = api::parse_object(call.request.body);
  if (!object) return call.fail(object.error());
  api::Fields fields(*object);
  Result<double> load = fields.number("current_load", 0, 0, 1e6);
  if (!load) return call.fail(load.error());
  Result<bool> idle = fields.boolean("is_idle", true);
  if (!idle) return call.fail(idle.error());
  std::lock_guard lock(m_mutex);
  const sched::Node* node = m_sched.node(node_id);
  if (!node) {
    return call.fail(make_error(ErrorCode::node_not_found, "node " + node_id + " not found",
                                "register first: POST /api/nodes/register"));
  }
  if (Status ok = speaks_for(call.principal, node_id); !ok) return call.fail(ok.error());
  api::Heartbeat beat;
  beat.capacity = node->record.capacity;
  beat.labels = node->record.labels;
  beat.load = *load;
  beat.idle = *idle;
  // The prototype's agents name no leases; their heartbeat keeps all of theirs alive.
  for (std::int64_t id : node->running) {
    if (const api::Task* task = m_sched.task(id)) beat.leases.push_back({id, task->lease_id});
  }
  sched::Changes changes;
  (void)m_sched.heartbeat(node_id, beat, now(), changes);
  commit(changes, [reply = call.reply](const Status& status) {
    http::Response response;
    response.status = status ? 200 : 503;
    response.body = status ? R"({"success":true,"message":"Heartbeat received"})"
                           : api::error_body(status.error());
    reply(std::move(response));
  });
}

void Service::legacy_nodes(Call& call) {
  std::lock_guard lock(m_mutex);
  json::Writer out;
  out.begin_object().key("nodes").begin_array();
  long long count = 0;
  for (const sched::Node* node : m_sched.nodes()) {
    write_node(out, *node);
    ++count;
  }
  out.end_array().field("count", count).end_object();
  call.send(200, out.take());
}

void Service::legacy_stats(Call& call) {
  std::lock_guard lock(m_mutex);
  sched::Stats stats = m_sched.stats(now());
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
  call.send(200, out.take());
}

}  // namespace ia::server
