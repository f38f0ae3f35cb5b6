// Request latency histogram and counters for /metrics (Prometheus text format 0.0.4).
// Lock-free counters; thread safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "sched/scheduler.hpp"

namespace ia::server {

// The store's side of /metrics, read from the service's counters.
struct StoreGauges {
  bool up = true;
  std::uint64_t failed_writes = 0;
  std::uint64_t outages = 0;
  std::uint64_t rereads = 0;
};

class Metrics {
 public:
  void observe(double seconds, int status);
  // The whole exposition: these counters plus the scheduler's and the store's gauges.
  std::string render(const sched::Stats& stats, std::size_t waiting_nodes,
                     const StoreGauges& store) const;

 private:
  static constexpr std::array<double, 12> k_bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  std::array<std::atomic<std::uint64_t>, k_bounds.size() + 1> m_buckets{};
  std::atomic<std::uint64_t> m_count{0};
  std::atomic<std::uint64_t> m_sum_us{0};
  std::array<std::atomic<std::uint64_t>, 6> m_by_class{};  // 1xx..5xx by first digit
};

}  // namespace ia::server
