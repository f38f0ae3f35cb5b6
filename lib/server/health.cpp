// /health and /metrics: open to all, so each costs constant time in the number of tasks
// (the scheduler keeps its counts as tasks change) and the public /health names no
// store; a caller with a valid token sees the detail.
#include "json/writer.hpp"
#include "server/service.hpp"

namespace ia::server {

void Service::health(Call& call) {
  bool detailed = static_cast<bool>(m_tokens.check(request_token(call.request)));
  bool up = !m_store_down;
  json::Writer out;
  int status = 200;
  {
    std::lock_guard lock(m_mutex);
    sched::Stats stats = m_sched.stats(now());
    std::string_view state = m_stopped ? "stopping" : up ? "healthy" : "degraded";
    status = m_stopped || !up ? 503 : 200;
    out.begin_object().field("status", state).field("store", up ? "up" : "down");
    out.field("queued", static_cast<unsigned long>(m_sched.queued()));
    out.field("nodes_online", static_cast<long long>(stats.nodes_total - stats.nodes_offline));
    out.field("waiting_nodes", static_cast<unsigned long>(m_lease_waiters.size()));
  }
  if (detailed) {
    out.field("store_url", m_store->url());
    out.field("store_failed_writes", static_cast<unsigned long>(m_failed_writes.load()));
    out.field("store_outages", static_cast<unsigned long>(m_outages.load()));
    out.field("store_rereads", static_cast<unsigned long>(m_rereads.load()));
  }
  out.end_object();
  call.send(status, out.take());
}

void Service::metrics(Call& call) {
  StoreGauges store{!m_store_down, m_failed_writes.load(), m_outages.load(), m_rereads.load()};
  std::string text;
  {
    std::lock_guard lock(m_mutex);
    text = m_metrics.render(m_sched.stats(now()), m_lease_waiters.size(), store);
  }
  call.reply(http::Response{200, "text/plain; version=0.0.4", std::move(text), {}, {}});
}

}  // namespace ia::server
