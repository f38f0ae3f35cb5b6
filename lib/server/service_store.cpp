// Store outages (DESIGN.md §7): a failed save takes the service off the air until the
// store answers again and has been reread, so nothing unsaved is ever shown, answered
// or acted on, and memory never runs ahead of the store.
#include "api/errors.hpp"
#include "core/time.hpp"
#include "core/units.hpp"
#include "server/service.hpp"

namespace ia::server {
namespace {

// While the store is up: how often tokens are reread and a lost session is looked for
// (a lost PostgreSQL session takes ia-sched off the air within this).
constexpr Millis k_watch_interval{250};
constexpr Millis k_first_retry{250};
constexpr Millis k_max_retry{8000};

http::Response unavailable(const std::string& why, const std::string& hint) {
  http::Response response;
  response.status = 503;
  response.body = api::error_body(make_error(ErrorCode::unavailable, why, hint));
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

bool is_public_route(const http::Request& request) {
  return request.path == "/" || request.path == "/health" || request.path == "/metrics";
}

}  // namespace

bool Service::refuse_while_down(Call& call) {
  if (!m_store_down || is_public_route(call.request)) return false;
  call.reply(unavailable("the store is unavailable; ia-sched serves again once it is back "
                         "and reread",
                         "retry in a few seconds; GET /health shows the store's state"));
  return true;
}

void Service::store_failed(const Error& error, bool write) {
  std::lock_guard lock(m_outage_mutex);
  if (write) {
    ++m_failed_writes;
    ++m_outage_failed_writes;
  }
  m_store_down = true;
  if (m_outage_open) return;
  m_outage_open = true;
  ++m_outages;
  m_outage_started_ms = steady_now_ms();
  m_outage_failed_writes = write ? 1 : 0;
  m_outage_rereads = 0;
  m_outage_cause = error.describe();
  m_log.error("store unavailable: " + m_outage_cause +
              "; answering 503 until it is back, then rereading it (unsaved changes are "
              "dropped, never acted on)");
}

void Service::store_wrote() {
  if (!m_outage_open) return;
  std::lock_guard lock(m_outage_mutex);
  if (!m_outage_open || m_store_down) return;
  m_outage_open = false;
  m_log.warning("store back after " +
                format_duration(Millis(steady_now_ms() - m_outage_started_ms)) + ": " +
                std::to_string(m_outage_failed_writes) + " writes failed (answered 503), " +
                "store reread " + std::to_string(m_outage_rereads) + " times");
}

void Service::answer_parked_unavailable() {
  // Their nodes and clients ask again and are answered from the reread state.
  for (auto& [node, parked] : m_lease_waiters) parked.reply(http::Response{204, "", "", {}, {}});
  m_lease_waiters.clear();
  http::Response response = unavailable("the store was unavailable and has been reread",
                                        "retry");
  for (auto& [id, parked] : m_task_waiters) parked.reply(response);
  for (auto& [id, parked] : m_output_waiters) parked.reply(response);
  m_task_waiters.clear();
  m_output_waiters.clear();
}

Status Service::recover() {
  // Writes are refused from the failure on, so what load reads is all that was saved.
  Result<store::Snapshot> snapshot = m_store->load();
  IA_TRY(snapshot);
  std::lock_guard lock(m_mutex);
  if (m_stopped) return {};
  // Writes queued before the failure settle now (each fails); none lands after this.
  m_store->resume();
  answer_parked_unavailable();
  (void)m_tokens.replace(snapshot->tokens);
  sched::Scheduler fresh(m_options->settings);
  fresh.restore(std::move(*snapshot), now());
  m_sched = std::move(fresh);
  {
    std::lock_guard outage(m_outage_mutex);
    ++m_outage_rereads;
    ++m_rereads;
    m_store_down = false;
  }
  m_log.info("store reread: " + std::to_string(m_sched.stats(now()).tasks_total) + " tasks");
  return {};
}

void Service::watch() {
  Millis retry = k_first_retry;
  std::unique_lock lock(m_watch_mutex);
  for (;;) {
    Millis pause = m_store_down ? retry : k_watch_interval;
    if (m_watch_wake.wait_for(lock, pause, [this] { return m_watch_stop; })) return;
    lock.unlock();
    if (!m_store_down) {
      if (!m_outage_open) retry = k_first_retry;
      // Tokens created or revoked by 'ia-sched token' in another process. A lost
      // session shows here even when nothing is written.
      Result<std::vector<store::TokenRecord>> tokens = m_store->tokens();
      if (tokens) {
        drop_leases_of(m_tokens.replace(std::move(*tokens)));
      } else if (tokens.error().code == ErrorCode::unavailable) {
        store_failed(tokens.error(), false);
      }
    } else if (Status back = recover(); !back) {
      m_log.debug("store still unavailable: " + back.error().describe());
      retry = std::min(retry * 2, k_max_retry);
    } else {
      // Back, but a store that fails again at once (a full disk) is retried ever later.
      retry = std::min(retry * 2, k_max_retry);
    }
    lock.lock();
  }
}

void Service::stop_watcher() {
  {
    std::lock_guard lock(m_watch_mutex);
    m_watch_stop = true;
    m_watch_wake.notify_all();
  }
  if (m_watcher.joinable() && m_watcher.get_id() != std::this_thread::get_id()) {
    m_watcher.join();
  }
}

}  // namespace ia::server
