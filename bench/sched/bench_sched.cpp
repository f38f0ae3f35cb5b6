// ia-sched benchmark: starts a real ia-sched (durable SQLite store in a temporary
// directory) and measures it through real HTTP. Prints figures; asserts nothing.
//   ia-bench-sched [--sched PATH] [--seconds S] [--queued N]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/time.hpp"
#include "http/client.hpp"
#include "sched_process.hpp"
#include "json/value.hpp"

using namespace ia;
using namespace ia::bench;

namespace {

http::Client client(const Sched& sched) {
  http::ClientOptions options;
  options.base_url = sched.url;
  return http::Client(options);
}

// Submissions from `clients` threads for `seconds`; returns (rate, latencies in ms).
std::pair<double, std::vector<double>> submit_load(const Sched& sched, int clients,
                                                   double seconds) {
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  std::vector<std::thread> threads;
  std::int64_t start = steady_now_ms();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      http::Client http = client(sched);
      while (!stop) {
        auto t0 = std::chrono::steady_clock::now();
        auto response = http.post("/v1/tasks", R"J({"code":"print(1)"})J");
        auto t1 = std::chrono::steady_clock::now();
        if (!response || response->status != 201) continue;
        latencies[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(seconds * 1000)));
  stop = true;
  for (std::thread& t : threads) t.join();
  double elapsed = static_cast<double>(steady_now_ms() - start) / 1000.0;
  std::vector<double> all;
  for (auto& list : latencies) all.insert(all.end(), list.begin(), list.end());
  return {static_cast<double>(all.size()) / elapsed, all};
}

double cycle_load(const Sched& sched, int nodes, double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<long> cycles{0};
  std::vector<std::thread> threads;
  std::int64_t start = steady_now_ms();
  for (int n = 0; n < nodes; ++n) {
    threads.emplace_back([&, n] {
      http::Client http = client(sched);
      std::string id = "bench-" + std::to_string(nodes) + "-" + std::to_string(n);
      (void)http.post("/v1/nodes/" + id + "/heartbeat", R"({"capacity":{"cpu":64,"memory":65536}})");
      while (!stop) {
        auto lease = http.post("/v1/nodes/" + id + "/lease", "");
        if (!lease || lease->status != 200) continue;
        auto parsed = json::parse(lease->body);
        if (!parsed) continue;
        std::int64_t task = parsed->find("task")->find("task_id")->as_int();
        std::int64_t lease_id = parsed->find("lease")->find("lease_id")->as_int();
        auto done = http.post("/v1/tasks/" + std::to_string(task) + "/result",
                              R"({"lease_id":)" + std::to_string(lease_id) +
                                  R"(,"exit_code":0,"output":"1\n","wall_time":0.01})");
        if (done && done->status == 200) ++cycles;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(seconds * 1000)));
  stop = true;
  for (std::thread& t : threads) t.join();
  return static_cast<double>(cycles) / (static_cast<double>(steady_now_ms() - start) / 1000.0);
}

std::vector<double> long_poll_latency(const Sched& sched, int rounds) {
  std::vector<double> out;
  http::Client submitter = client(sched);
  (void)submitter.post("/v1/nodes/poller/heartbeat", R"({"capacity":{"cpu":4,"memory":4096}})");
  for (int i = 0; i < rounds; ++i) {
    std::atomic<std::int64_t> received_us{0};
    std::thread poller([&] {
      http::Client http = client(sched);
      auto lease = http.post("/v1/nodes/poller/lease?wait=10", "");
      received_us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now().time_since_epoch()).count();
      if (lease && lease->status == 200) {
        auto parsed = json::parse(lease->body);
        std::int64_t task = parsed->find("task")->find("task_id")->as_int();
        std::int64_t lease_id = parsed->find("lease")->find("lease_id")->as_int();
        (void)http.post("/v1/tasks/" + std::to_string(task) + "/result",
                        R"({"lease_id":)" + std::to_string(lease_id) + R"(,"exit_code":0})");
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    (void)submitter.post("/v1/tasks", R"({"code":"x"})");
    std::int64_t acked_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now().time_since_epoch()).count();
    poller.join();
    out.push_back(static_cast<double>(received_us - acked_us) / 1000.0);
  }
  return out;
}

// 10,000 distinct nodes heartbeating from 16 connections: heartbeats/s the server takes
// (10,000 nodes every 10 s need 1,000/s).
double heartbeat_load(const Sched& sched, int nodes, double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<long> beats{0};
  std::vector<std::thread> threads;
  std::int64_t start = steady_now_ms();
  for (int c = 0; c < 16; ++c) {
    threads.emplace_back([&, c] {
      http::Client http = client(sched);
      for (long i = c; !stop; i += 16) {
        std::string id = "hb-" + std::to_string(i % nodes);
        auto response = http.post("/v1/nodes/" + id + "/heartbeat",
                                  R"J({"capacity":{"cpu":8,"memory":16384},"load":0.2})J");
        if (response && response->status == 200) ++beats;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(seconds * 1000)));
  stop = true;
  for (std::thread& t : threads) t.join();
  return static_cast<double>(beats) / (static_cast<double>(steady_now_ms() - start) / 1000.0);
}

void fill_queue(const Sched& sched, long count) {
  std::atomic<long> next{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < 16; ++c) {
    threads.emplace_back([&] {
      http::Client http = client(sched);
      while (next++ < count) (void)http.post("/v1/tasks", R"J({"code":"print(1)"})J");
    });
  }
  for (std::thread& t : threads) t.join();
}

}  // namespace

int main(int argc, char** argv) {
  std::string binary = "build/bin/ia-sched";
  double seconds = 3;
  long queued = 100'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--sched") binary = argv[i + 1];
    if (flag == "--seconds") seconds = std::atof(argv[i + 1]);
    if (flag == "--queued") queued = std::atol(argv[i + 1]);
  }
  std::printf("ia-sched benchmark: real server, SQLite WAL synchronous=FULL, loopback HTTP\n");
  std::printf("machine: %u cores\n\n", std::thread::hardware_concurrency());

  Sched sched = start_sched(binary);
  for (int clients : {1, 16}) {
    auto [rate, latencies] = submit_load(sched, clients, seconds);
    std::printf("submit  %2d clients: %8.0f submissions/s  p50 %6.2f ms  p99 %6.2f ms\n",
                clients, rate, percentile(latencies, 0.5), percentile(latencies, 0.99));
  }
  for (int nodes : {4, 64}) {
    std::printf("cycles  %2d nodes:   %8.0f lease+result/s\n", nodes,
                cycle_load(sched, nodes, seconds));
  }
  double beats = heartbeat_load(sched, 10'000, seconds);
  std::printf("heartbeats (10,000 nodes, 16 connections): %8.0f/s  (%.1fx what 10,000 nodes "
              "every 10 s need)\n", beats, beats / 1000.0);
  stop_sched(sched);

  // A fresh server: the queue must be empty for the node to be really waiting.
  Sched fresh = start_sched(binary);
  auto poll = long_poll_latency(fresh, 20);
  std::printf("long-poll delivery (submit acked -> waiting node has it): p50 %.2f ms  max %.2f ms"
              " (negative: the node had it before the submitter heard back)\n",
              percentile(poll, 0.5), percentile(poll, 1.0));
  long before = rss_kib(fresh.pid);
  std::int64_t start = steady_now_ms();
  fill_queue(fresh, queued);
  double fill_s = static_cast<double>(steady_now_ms() - start) / 1000.0;
  std::printf("RSS: %ld KiB idle, %ld KiB with %ld queued tasks (filled in %.1f s)\n", before,
              rss_kib(fresh.pid), queued, fill_s);
  stop_sched(fresh);
  return 0;
}
