// The node-side routes (heartbeat, lease long-poll, output append, result) and the
// node and statistics views.
#include <algorithm>

#include "api/errors.hpp"
#include "json/writer.hpp"
#include "server/service.hpp"
#include "server/views.hpp"

namespace ia::server {
namespace {

http::Response answer(const Status& status, int code, std::string body) {
  http::Response response;
  if (status) {
    response.status = code;
    response.body = std::move(body);
  } else {
    response.status = 503;
    response.body = api::error_body(make_error(ErrorCode::unavailable,
                                               "store: " + status.error().message,
                                               "the change was not saved; retry"));
  }
  return response;
}

}  // namespace

void Service::heartbeat(Call& call, const std::string& node_id) {
  Result<api::Heartbeat> beat = api::parse_heartbeat(call.request.body);
  if (!beat) return call.fail(beat.error());
  std::lock_guard lock(m_mutex);
  if (Status ok = speaks_for(call.principal, node_id); !ok) return call.fail(ok.error());
  sched::Changes changes;
  std::vector<api::LeaseRef> cancel = m_sched.heartbeat(node_id, *beat, now(), changes);
  claim(call.principal, node_id, changes);
  json::Writer out;
  out.begin_object().key("cancel").begin_array();
  for (const api::LeaseRef& ref : cancel) {
    out.begin_object().field("task_id", static_cast<long long>(ref.task_id));
    out.field("lease_id", static_cast<long long>(ref.lease_id)).end_object();
  }
  out.end_array();
  const sched::Settings& settings = m_sched.settings();
  out.field("heartbeat_interval", static_cast<double>(settings.heartbeat_interval_ms) / 1000.0);
  out.field("lease_expiry", static_cast<double>(settings.lease_ttl_ms()) / 1000.0);
  out.end_object();
  commit(changes, [reply = call.reply, body = out.take()](const Status& status) {
    reply(answer(status, 200, body));
  });
}

void Service::lease(Call& call, const std::string& node_id) {
  std::int64_t wait = 0;
  if (const std::string* text = call.request.param("wait")) {
    Result<std::int64_t> parsed = api::parse_wait_seconds("wait", *text, m_options.max_wait_s);
    if (!parsed) return call.fail(parsed.error());
    wait = *parsed;
  }
  Result<api::LeaseRequest> request = api::parse_lease_request(call.request.body);
  if (!request) return call.fail(request.error());
  std::lock_guard lock(m_mutex);
  if (Status ok = speaks_for(call.principal, node_id); !ok) return call.fail(ok.error());
  sched::Changes changes;
  Result<const api::Task*> task = m_sched.lease(node_id, *request, now(), changes);
  if (!task) return call.fail(task.error());
  if (*task) {
    guard_grant(call.request.connection, **task);
    std::string body = lease_json(**task, m_sched.settings());
    return commit(changes, [reply = call.reply, body = std::move(body)](const Status& status) {
      reply(answer(status, 200, body));
    });
  }
  if (wait == 0 || m_stopped) {
    m_sched.stop_waiting(node_id);
    return call.send(204, "");
  }
  // One parked lease per node: a newer request replaces (and empties) the older one.
  auto [it, inserted] = m_lease_waiters.try_emplace(node_id);
  if (!inserted) it->second.reply(http::Response{204, "application/json", "", {}, {}});
  it->second = Parked{++m_serial, call.reply, 0, false, call.request.connection};
  std::uint64_t serial = it->second.serial;
  if (call.request.connection) {
    call.request.connection->on_undelivered(
        [this, node_id, serial] { forget_waiter(node_id, serial); });
  }
  m_server->schedule(Millis(wait * 1000), [this, node_id, serial] {
    std::lock_guard inner(m_mutex);
    auto found = m_lease_waiters.find(node_id);
    if (found == m_lease_waiters.end() || found->second.serial != serial) return;
    found->second.reply(http::Response{204, "application/json", "", {}, {}});
    m_lease_waiters.erase(found);
    m_sched.stop_waiting(node_id);
  });
}

void Service::append_output(Call& call, std::int64_t id) {
  Result<api::OutputChunk> chunk = api::parse_output_chunk(call.request.body);
  if (!chunk) return call.fail(chunk.error());
  std::lock_guard lock(m_mutex);
  if (Status ok = speaks_for_task(call.principal, id); !ok) return call.fail(ok.error());
  sched::Changes changes;
  Result<std::size_t> size = m_sched.append_output(id, chunk->lease_id, chunk->data, now(),
                                                   changes, chunk->offset);
  if (!size) return call.fail(size.error());
  const api::Task* task = m_sched.task(id);
  std::string body = R"({"task_id":)" + std::to_string(id) + R"(,"size":)" +
                     std::to_string(*size) + R"(,"truncated":)" +
                     (task->output_truncated ? "true" : "false") + "}";
  commit(changes, [reply = call.reply, body = std::move(body)](const Status& status) {
    reply(answer(status, 200, body));
  });
}

void Service::result(Call& call, std::int64_t id) {
  Result<api::ResultReport> report = api::parse_result(call.request.body);
  if (!report) return call.fail(report.error());
  std::lock_guard lock(m_mutex);
  if (Status ok = speaks_for_task(call.principal, id); !ok) return call.fail(ok.error());
  sched::Changes changes;
  Result<const api::Task*> task = m_sched.finish(id, *report, now(), changes);
  if (!task) return call.fail(task.error());
  std::string body = R"({"task_id":)" + std::to_string(id) + R"(,"status":")" +
                     std::string(api::to_string((*task)->state)) + R"("})";
  commit(changes, [reply = call.reply, body = std::move(body)](const Status& status) {
    reply(answer(status, 200, body));
  });
}

void Service::list_nodes(Call& call) {
  std::lock_guard lock(m_mutex);
  json::Writer out;
  out.begin_object().key("nodes").begin_array();
  for (const sched::Node* node : m_sched.nodes()) write_node(out, *node);
  out.end_array().end_object();
  call.send(200, out.take());
}

void Service::get_node(Call& call, const std::string& node_id) {
  std::lock_guard lock(m_mutex);
  const sched::Node* node = m_sched.node(node_id);
  if (!node) {
    return call.fail(make_error(ErrorCode::node_not_found, "node " + node_id + " not found"));
  }
  json::Writer out;
  write_node(out, *node);
  call.send(200, out.take());
}

void Service::stats(Call& call) {
  std::lock_guard lock(m_mutex);
  call.send(200, stats_json(m_sched.stats(now())));
}

void Service::stats_top(Call& call) {
  std::lock_guard lock(m_mutex);
  std::vector<const sched::Node*> nodes = m_sched.nodes();
  std::sort(nodes.begin(), nodes.end(), [](const sched::Node* a, const sched::Node* b) {
    if (a->record.completed != b->record.completed) {
      return a->record.completed > b->record.completed;
    }
    return a->record.compute_s > b->record.compute_s;
  });
  json::Writer out;
  out.begin_object().key("nodes").begin_array();
  for (std::size_t i = 0; i < nodes.size() && i < 20; ++i) {
    out.begin_object().field("rank", static_cast<long long>(i + 1));
    out.field("node_id", nodes[i]->record.id);
    out.field("completed", static_cast<long long>(nodes[i]->record.completed));
    out.field("compute_time", nodes[i]->record.compute_s).end_object();
  }
  out.end_array().end_object();
  call.send(200, out.take());
}

void Service::stats_queue(Call& call) {
  std::lock_guard lock(m_mutex);
  json::Writer out;
  out.begin_object().key("nodes").begin_array();
  std::size_t position = 0;
  for (const sched::FairEntry& entry : m_sched.node_queue(now())) {
    out.begin_object().field("position", static_cast<long long>(++position));
    out.field("node_id", entry.node_id).field("score", entry.score);
    out.field("wait_time", entry.wait_s).field("band", entry.band);
    out.field("reason", entry.reason).end_object();
  }
  out.end_array().field("queued_tasks", static_cast<unsigned long>(m_sched.queued()));
  out.end_object();
  call.send(200, out.take());
}

}  // namespace ia::server
