// What /health and /metrics cost as tasks pile up: the time of Scheduler::stats() (the
// whole of their work under the service lock) at growing task counts, with 100 nodes.
// Prints "tasks stats_us" a line; a flat column is the point (issue 16, hole 4).
#include <chrono>
#include <cstdio>

#include "sched/scheduler.hpp"

int main() {
  using namespace ia;
  for (std::int64_t tasks : {1'000, 10'000, 100'000, 300'000}) {
    sched::Scheduler scheduler(sched::Settings{});
    sched::Changes changes;
    for (int node = 0; node < 100; ++node) {
      api::Heartbeat beat;
      beat.capacity = api::Resources{4, 4096, 0};
      scheduler.heartbeat("n" + std::to_string(node), beat, 1000, changes);
    }
    api::TaskSpec spec;
    spec.code = "x";
    for (std::int64_t i = 0; i < tasks; ++i) scheduler.submit(spec, 1000, changes);
    constexpr int k_calls = 2000;
    std::int64_t sink = 0;
    auto start = std::chrono::steady_clock::now();
    for (int call = 0; call < k_calls; ++call) sink += scheduler.stats(2000).tasks_total;
    std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - start;
    std::printf("%lld %.2f\n", static_cast<long long>(tasks), took.count() / k_calls);
    if (sink == 0) return 1;  // keeps the calls from being optimised away
  }
  return 0;
}
