#include "server/metrics.hpp"

#include "core/strings.hpp"

namespace ia::server {

void Metrics::observe(double seconds, int status) {
  std::size_t bucket = 0;
  while (bucket < k_bounds.size() && seconds > k_bounds[bucket]) ++bucket;
  m_buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  m_count.fetch_add(1, std::memory_order_relaxed);
  m_sum_us.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  auto klass = static_cast<std::size_t>(status / 100);
  if (klass < m_by_class.size()) m_by_class[klass].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render(const sched::Stats& stats, std::size_t waiting_nodes,
                            const StoreGauges& store) const {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };
  line("# HELP ia_store_up Whether the store answers (0 through an outage, until reread).");
  line("# TYPE ia_store_up gauge");
  line("ia_store_up " + std::string(store.up ? "1" : "0"));
  line("# HELP ia_store_failed_writes_total Store writes that failed; each was answered 503.");
  line("# TYPE ia_store_failed_writes_total counter");
  line("ia_store_failed_writes_total " + std::to_string(store.failed_writes));
  line("# HELP ia_store_outages_total Store outages since start.");
  line("# TYPE ia_store_outages_total counter");
  line("ia_store_outages_total " + std::to_string(store.outages));
  line("# HELP ia_store_rereads_total Times the state was reread from the store after one.");
  line("# TYPE ia_store_rereads_total counter");
  line("ia_store_rereads_total " + std::to_string(store.rereads));
  line("# HELP ia_tasks Tasks by state.");
  line("# TYPE ia_tasks gauge");
  for (api::TaskState state :
       {api::TaskState::queued, api::TaskState::leased, api::TaskState::running,
        api::TaskState::succeeded, api::TaskState::failed, api::TaskState::timed_out,
        api::TaskState::cancelled}) {
    auto found = stats.by_state.find(state);
    line("ia_tasks{state=\"" + std::string(api::to_string(state)) + "\"} " +
         std::to_string(found == stats.by_state.end() ? 0 : found->second));
  }
  line("# HELP ia_nodes Nodes by state.");
  line("# TYPE ia_nodes gauge");
  line("ia_nodes{state=\"idle\"} " + std::to_string(stats.nodes_idle));
  line("ia_nodes{state=\"busy\"} " + std::to_string(stats.nodes_busy));
  line("ia_nodes{state=\"offline\"} " + std::to_string(stats.nodes_offline));
  line("ia_nodes{state=\"waiting\"} " + std::to_string(waiting_nodes));
  line("# HELP ia_http_responses_total Responses by status class.");
  line("# TYPE ia_http_responses_total counter");
  for (std::size_t klass = 1; klass < m_by_class.size(); ++klass) {
    line("ia_http_responses_total{code=\"" + std::to_string(klass) + "xx\"} " +
         std::to_string(m_by_class[klass].load()));
  }
  line("# HELP ia_http_request_duration_seconds Time from request read to answer sent.");
  line("# TYPE ia_http_request_duration_seconds histogram");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < k_bounds.size(); ++i) {
    cumulative += m_buckets[i].load();
    line("ia_http_request_duration_seconds_bucket{le=\"" + format_decimal(k_bounds[i], 4) +
         "\"} " + std::to_string(cumulative));
  }
  cumulative += m_buckets[k_bounds.size()].load();
  line("ia_http_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative));
  line("ia_http_request_duration_seconds_sum " +
       format_decimal(static_cast<double>(m_sum_us.load()) / 1e6, 6));
  line("ia_http_request_duration_seconds_count " + std::to_string(m_count.load()));
  return out;
}

}  // namespace ia::server
