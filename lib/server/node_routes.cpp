// The node service calls (heartbeat, lease long-poll, output append, result), the node
// and statistics reads, and an admin's reassignment of a node to another token.
#include <algorithm>

#include "api/errors.hpp"
#include "json/writer.hpp"
#include "server/service.hpp"
#include "server/views.hpp"

namespace ia::server {
void Service::heartbeat(Call& call, api::Heartbeat beat, Beat kind, BeatView view) {
  const std::string& node_id = call.node_id;
  std::lock_guard lock(m_mutex);
  if (Status ok = speaks_for(call, node_id); !ok) return call.fail(ok.error());
  const sched::Node* node = m_sched.node(node_id);
  if (kind == Beat::liveness) {
    if (!node) {
      return call.fail(make_error(ErrorCode::node_not_found, "node " + node_id + " not found",
                                  "register first: POST /api/nodes/register"));
    }
    beat.capacity = node->record.capacity;
    beat.labels = node->record.labels;
    // The prototype's agents name no leases; their heartbeat keeps all of theirs alive.
    for (std::int64_t id : node->running) {
      if (const api::Task* task = m_sched.task(id)) beat.leases.push_back({id, task->lease_id});
    }
  }
  bool fresh = node == nullptr;
  sched::Changes changes;
  std::vector<api::LeaseRef> cancel = m_sched.heartbeat(node_id, beat, now(), changes);
  claim(call.principal, node_id, fresh, changes);
  std::string body = view(node_id, cancel, m_sched.settings());
  commit(changes, [reply = call.reply, body = std::move(body)](const Status& status) {
    reply(saved_answer(status, 200, body));
  });
}

void Service::lease(Call& call, LeaseAsk ask, LeaseView view) {
  const std::string& node_id = call.node_id;
  std::lock_guard lock(m_mutex);
  if (Status ok = speaks_for(call, node_id); !ok) return call.fail(ok.error());
  sched::Changes changes;
  const sched::Node* known = m_sched.node(node_id);
  if (ask.register_first && (!known || !known->online)) {
    api::Heartbeat beat = *ask.register_first;
    if (known) {
      beat.capacity = known->record.capacity;
      beat.labels = known->record.labels;
    }
    (void)m_sched.heartbeat(node_id, beat, now(), changes);
    claim(call.principal, node_id, known == nullptr, changes);
  }
  Result<const api::Task*> task = m_sched.lease(node_id, ask.request, now(), changes);
  if (!task) return call.fail(task.error());
  if (*task) guard_grant(call.request.connection, **task);
  if (*task || ask.wait_s == 0 || m_stopped) {
    if (!*task) m_sched.stop_waiting(node_id);
    http::Response response = view(node_id, *task, m_sched.settings());
    return commit(changes, [reply = call.reply, response = std::move(response)](
                               const Status& status) {
      reply(status ? response : saved_answer(status, 200, ""));
    });
  }
  // One parked lease per node: a newer request replaces (and empties) the older one.
  auto [it, inserted] = m_lease_waiters.try_emplace(node_id);
  if (!inserted) it->second.reply(http::Response{204, "application/json", "", {}, {}});
  it->second = Parked{++m_serial, call.reply, 0, call.request.connection};
  std::uint64_t serial = it->second.serial;
  if (call.request.connection) {
    call.request.connection->on_undelivered(
        [this, node_id, serial] { forget_waiter(node_id, serial); });
  }
  m_server->schedule(Millis(ask.wait_s * 1000), [this, node_id, serial] {
    std::lock_guard inner(m_mutex);
    auto found = m_lease_waiters.find(node_id);
    if (found == m_lease_waiters.end() || found->second.serial != serial) return;
    found->second.reply(http::Response{204, "application/json", "", {}, {}});
    m_lease_waiters.erase(found);
    m_sched.stop_waiting(node_id);
  });
}

void Service::append_output(Call& call) {
  Result<api::OutputChunk> chunk = api::parse_output_chunk(call.request.body);
  if (!chunk) return call.fail(chunk.error());
  std::int64_t id = call.task_id;
  std::lock_guard lock(m_mutex);
  if (Status ok = speaks_for_holder(call); !ok) return call.fail(ok.error());
  sched::Changes changes;
  Result<std::size_t> size = m_sched.append_output(id, chunk->lease_id, chunk->data, now(),
                                                   changes, chunk->offset);
  if (!size) return call.fail(size.error());
  const api::Task* task = m_sched.task(id);
  std::string body = R"({"task_id":)" + std::to_string(id) + R"(,"size":)" +
                     std::to_string(*size) + R"(,"truncated":)" +
                     (task->output_truncated ? "true" : "false") + "}";
  commit(changes, [reply = call.reply, body = std::move(body)](const Status& status) {
    reply(saved_answer(status, 200, body));
  });
}

void Service::finish(Call& call, Finish finish, TaskView view) {
  std::int64_t id = call.task_id;
  std::lock_guard lock(m_mutex);
  if (Status ok = speaks_for_holder(call, finish.node_id); !ok) return call.fail(ok.error());
  if (finish.report.lease_id == 0) {
    if (const api::Task* task = m_sched.task(id)) finish.report.lease_id = task->lease_id;
  }
  sched::Changes changes;
  Result<const api::Task*> task = m_sched.finish(id, finish.report, now(), changes);
  if (!task) return call.fail(task.error());
  std::string body = view(**task);
  commit(changes, [reply = call.reply, body = std::move(body)](const Status& status) {
    reply(saved_answer(status, 200, body));
  });
}

void Service::list_nodes(Call& call, NodesView view) {
  std::lock_guard lock(m_mutex);
  std::vector<NodeShown> shown;
  for (const sched::Node* node : m_sched.nodes()) shown.push_back(show(call.principal, *node));
  call.send(200, view(shown));
}

void Service::get_node(Call& call) {
  std::lock_guard lock(m_mutex);
  const sched::Node* node = m_sched.node(call.node_id);
  if (!node) {
    return call.fail(
        make_error(ErrorCode::node_not_found, "node " + call.node_id + " not found"));
  }
  call.send(200, node_json(show(call.principal, *node)));
}

void Service::reassign(Call& call, std::string token_name) {
  if (!token_name.empty() && m_tokens.role(token_name) != Role::node) {
    return call.fail(make_error(ErrorCode::invalid_argument,
                                "no active node token named '" + token_name + "'",
                                "ia-sched token list shows the tokens; give a node token's "
                                "name, or \"\" to leave the node to callers without a token"));
  }
  std::lock_guard lock(m_mutex);
  const sched::Node* node = m_sched.node(call.node_id);
  if (!node) {
    return call.fail(
        make_error(ErrorCode::node_not_found, "node " + call.node_id + " not found"));
  }
  sched::Changes changes;
  m_sched.set_owner(call.node_id, token_name, changes);
  m_log.warning("node " + call.node_id + " now belongs to token '" + token_name + "'");
  std::string body = node_json(show(call.principal, *m_sched.node(call.node_id)));
  commit(changes, [reply = call.reply, body = std::move(body)](const Status& status) {
    reply(saved_answer(status, 200, body));
  });
}

void Service::stats(Call& call, StatsView view) {
  std::lock_guard lock(m_mutex);
  call.send(200, view(m_sched.stats(now())));
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
