// What the ia-sched benchmarks share: a real ia-sched started on a free loopback port in
// open mode with a temporary state directory (SQLite), its RSS, and percentiles.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace ia::bench {

struct Sched {
  pid_t pid = -1;
  int port = 0;
  std::string url;  // http://127.0.0.1:PORT
  std::string dir;
};

inline Sched start_sched(const std::string& binary) {
  Sched sched;
  char pattern[] = "/tmp/ia-bench-XXXXXX";
  sched.dir = mkdtemp(pattern);
  std::string log = sched.dir + "/sched.log";
  sched.pid = fork();
  if (sched.pid == 0) {
    FILE* out = std::freopen(log.c_str(), "w", stderr);
    (void)out;
    execl(binary.c_str(), binary.c_str(), "--state-dir", sched.dir.c_str(), "--listen",
          "127.0.0.1:0", "--insecure", static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 200 && sched.port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::ifstream in(log);
    std::string line;
    while (std::getline(in, line)) {
      auto at = line.find("listening on 127.0.0.1:");
      if (at != std::string::npos) sched.port = std::atoi(line.c_str() + at + 23);
    }
  }
  if (sched.port == 0) {
    std::fprintf(stderr, "ia-sched did not start; see %s\n", log.c_str());
    std::exit(1);
  }
  sched.url = "http://127.0.0.1:" + std::to_string(sched.port);
  return sched;
}

inline void stop_sched(Sched& sched) {
  kill(sched.pid, SIGTERM);
  waitpid(sched.pid, nullptr, 0);
  std::filesystem::remove_all(sched.dir);
}

inline long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

inline double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

}  // namespace ia::bench
