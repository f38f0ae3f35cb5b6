// The service core: commit (durable before answered), parked long-polls, the tick.
#include "server/service.hpp"

#include "api/errors.hpp"
#include "core/time.hpp"
#include "server/views.hpp"

namespace ia::server {
namespace {

constexpr Millis k_tick{250};

http::Response json_response(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

}  // namespace

void Service::Call::send(int status, std::string body) {
  reply(json_response(status, std::move(body)));
}

void Service::Call::fail(const Error& error) {
  http::Response response = json_response(api::http_status(error.code), api::error_body(error));
  // The bucket refills every second; a client that honours Retry-After waits no longer.
  if (error.code == ErrorCode::rate_limited) response.headers.emplace_back("Retry-After", "1");
  reply(std::move(response));
}

Service::Service(std::unique_ptr<store::Store> store, ServiceOptions options, Logger& log)
    : m_store(std::move(store)),
      m_options(std::make_shared<const ServiceOptions>(options)),
      m_log(log),
      m_sched(options.settings) {}

Service::~Service() {
  shutdown();
  m_store->close();
}

std::int64_t Service::now() const { return unix_now_ms(); }

Status Service::start() {
  Result<store::Snapshot> snapshot = m_store->load();
  IA_TRY(snapshot);
  std::lock_guard lock(m_mutex);
  m_tokens.replace(snapshot->tokens);
  m_log.info("store " + m_store->url() + ": " + std::to_string(snapshot->tasks.size()) +
             " tasks, " + std::to_string(snapshot->nodes.size()) + " nodes, " +
             std::to_string(snapshot->tokens.size()) + " tokens");
  m_sched.restore(std::move(*snapshot), now());
  if (!m_watcher.joinable()) m_watcher = std::thread([this] { watch(); });
  return {};
}

void Service::attach(http::Server& server) {
  m_server = &server;
  server.schedule(k_tick, [this] { tick(); });
}

void Service::reload(ServiceOptions options) {
  auto fresh = std::make_shared<const ServiceOptions>(std::move(options));
  std::lock_guard lock(m_mutex);
  m_sched.set_settings(fresh->settings);
  m_options = std::move(fresh);
}

void Service::tick() {
  {
    std::lock_guard lock(m_mutex);
    if (m_stopped) return;
    // Through an outage memory may hold unsaved changes: nothing expires from it.
    if (!m_store_down) {
      sched::Changes changes;
      m_sched.tick(now(), changes);
      if (!changes.tasks.empty() || !changes.nodes.empty() || changes.try_dispatch ||
          !changes.events.empty()) {
        commit(changes, [this](const Status& status) {
          if (!status) m_log.debug("store: " + status.error().describe());
        });
      }
    }
  }
  m_server->schedule(k_tick, [this] { tick(); });
}

void Service::commit(sched::Changes& changes, Respond respond) {
  if (m_store_down) {
    // Memory is thrown away and reread once the store is back; until then no change
    // is saved, answered or acted on.
    return respond(make_error(ErrorCode::unavailable, "the store is unavailable",
                              "the change was not saved; retry in a few seconds"));
  }
  auto wakeups = std::make_shared<std::vector<Wakeup>>();
  if (changes.try_dispatch && !m_lease_waiters.empty()) {
    for (const sched::Grant& grant : m_sched.dispatch(now(), changes)) {
      answer_grant(grant, *wakeups);
    }
  }
  collect_wakeups(changes, *wakeups);
  store::Batch batch = m_sched.batch(changes);
  if (batch.empty()) {
    respond(Status{});
    for (auto& wake : *wakeups) wake(Status{});
    publish(changes.events);
    return;
  }
  std::uint64_t seq = ++m_writes_queued;
  m_store->write(std::move(batch),
                 [this, seq, respond, wakeups, events = changes.events](const Status& status) {
                   // Before any answer: a request that follows this one's 503 must find
                   // the store down, never the unsaved change.
                   if (status) {
                     store_wrote();
                   } else {
                     store_failed(status.error(), true);
                   }
                   m_writes_durable = seq;  // settled: a failed write never will be
                   respond(status);
                   for (auto& wake : *wakeups) wake(status);
                   if (status) publish(events);
                 });
}

void Service::answer_grant(const sched::Grant& grant, std::vector<Wakeup>& out) {
  auto found = m_lease_waiters.find(grant.node_id);
  if (found == m_lease_waiters.end()) return;
  http::Reply reply = std::move(found->second.reply);
  std::shared_ptr<http::Connection> connection = std::move(found->second.connection);
  m_lease_waiters.erase(found);
  const api::Task* task = m_sched.task(grant.task_id);
  guard_grant(connection, *task);
  std::string body = lease_json(*task, m_sched.settings());
  out.push_back([reply, body = std::move(body)](const Status& saved) {
    reply(saved_answer(saved, 200, body));
  });
}

void Service::collect_wakeups(const sched::Changes& changes, std::vector<Wakeup>& out) {
  for (std::int64_t id : changes.finished) {
    const api::Task* task = m_sched.task(id);
    auto [begin, end] = m_task_waiters.equal_range(id);
    for (auto it = begin; it != end; ++it) {
      std::string body = task_json(*task);
      out.push_back([reply = std::move(it->second.reply), body = std::move(body)](
                        const Status& saved) {
        reply(saved_answer(saved, 200, body));
      });
    }
    m_task_waiters.erase(begin, end);
  }
  std::set<std::int64_t> touched;
  for (const store::OutputAppend& chunk : changes.outputs) touched.insert(chunk.task_id);
  for (std::int64_t id : changes.finished) touched.insert(id);
  for (std::int64_t id : touched) {
    const api::Task* task = m_sched.task(id);
    auto [begin, end] = m_output_waiters.equal_range(id);
    for (auto it = begin; it != end; ++it) {
      std::string body = output_json(*task, it->second.offset);
      out.push_back([reply = std::move(it->second.reply), body = std::move(body)](
                        const Status& saved) {
        reply(saved_answer(saved, 200, body));
      });
    }
    m_output_waiters.erase(begin, end);
  }
}

void Service::guard_grant(const std::shared_ptr<http::Connection>& connection,
                          const api::Task& task) {
  if (!connection) return;
  connection->on_undelivered(
      [this, task_id = task.id, lease_id = task.lease_id] { give_back(task_id, lease_id); });
}

void Service::give_back(std::int64_t task_id, std::int64_t lease_id) {
  std::lock_guard lock(m_mutex);
  if (m_stopped) return;
  sched::Changes changes;
  if (!m_sched.return_lease(task_id, lease_id, now(), changes)) return;
  m_log.info("task " + std::to_string(task_id) + ": lease " + std::to_string(lease_id) +
             " never reached its node (connection gone); queued again without penalty");
  commit(changes, [this](const Status& status) {
    // An outage is logged once, by store_failed, not once per change it refused.
    if (!status) m_log.debug("store: " + status.error().describe());
  });
}

void Service::forget_waiter(const std::string& node_id, std::uint64_t serial) {
  std::lock_guard lock(m_mutex);
  auto found = m_lease_waiters.find(node_id);
  if (found == m_lease_waiters.end() || found->second.serial != serial) return;
  m_lease_waiters.erase(found);
  m_sched.stop_waiting(node_id);
}

void Service::reply_durable(const http::Reply& reply, http::Response response) {
  if (m_store_down) {
    return reply(json_response(
        503, api::error_body(make_error(ErrorCode::unavailable, "the store is unavailable",
                                        "retry in a few seconds"))));
  }
  if (m_writes_durable == m_writes_queued) return reply(std::move(response));
  // Batches become durable in order, so an empty one completes after all before it.
  m_store->write(store::Batch{},
                 [reply, response = std::move(response)](const Status& status) mutable {
                   if (!status) {
                     response.status = 503;
                     response.body = api::error_body(make_error(
                         ErrorCode::unavailable, "store: " + status.error().message, "retry"));
                   }
                   reply(std::move(response));
                 });
}

void Service::send_read(Call& call, std::string body) {
  reply_durable(call.reply, json_response(200, std::move(body)));
}

std::uint64_t Service::park(std::multimap<std::int64_t, Parked>& parked, std::int64_t key,
                            Parked entry) {
  entry.serial = ++m_serial;
  std::uint64_t serial = entry.serial;
  parked.emplace(key, std::move(entry));
  return serial;
}

void Service::expire_parked(std::multimap<std::int64_t, Parked>& parked, std::int64_t key,
                            std::uint64_t serial, http::Response response) {
  std::lock_guard lock(m_mutex);
  auto [begin, end] = parked.equal_range(key);
  for (auto it = begin; it != end; ++it) {
    if (it->second.serial == serial) {
      reply_durable(it->second.reply, std::move(response));
      parked.erase(it);
      return;
    }
  }
}

void Service::shutdown() {
  stop_watcher();
  {
    std::lock_guard lock(m_mutex);
    if (m_stopped) return;
    m_stopped = true;
    for (auto& [node, parked] : m_lease_waiters) parked.reply(json_response(204, ""));
    m_lease_waiters.clear();
    auto unavailable = api::error_body(make_error(ErrorCode::unavailable,
                                                  "ia-sched is shutting down",
                                                  "retry in a moment"));
    for (auto& [id, parked] : m_task_waiters) parked.reply(json_response(503, unavailable));
    for (auto& [id, parked] : m_output_waiters) parked.reply(json_response(503, unavailable));
    m_task_waiters.clear();
    m_output_waiters.clear();
  }
  std::lock_guard lock(m_events_mutex);
  for (const auto& subscriber : m_subscribers) {
    if (subscriber->stream) subscriber->stream->close();
  }
  m_subscribers.clear();
}

}  // namespace ia::server
