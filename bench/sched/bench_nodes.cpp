// ia-sched with many nodes: starts a real ia-sched (SQLite in a temporary directory) and
// simulates N nodes the way ia-node behaves while idle: each holds a lease long-poll on a
// connection of its own, and all of them heartbeat every 10 s (over a small pool of
// connections, as the rate is what costs). Reports the server's RSS and CPU at rest, then
// the lease latency (submission sent -> a waiting node has the task) while tasks
// arrive. Prints figures; asserts nothing.
//   ia-bench-nodes [--sched PATH] [--nodes N] [--rest S] [--tasks N] [--rate R]
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/client.hpp"
#include "sched_process.hpp"
#include "json/value.hpp"

using namespace ia;
using namespace ia::bench;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int k_lease_wait_s = 30;
constexpr int k_heartbeat_interval_s = 10;
constexpr int k_heartbeat_connections = 8;

// utime + stime of a process, in seconds.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t at = text.rfind(')');
  std::vector<std::string> fields;
  std::string field;
  for (std::size_t i = at + 2; i < text.size(); ++i) {
    if (text[i] == ' ') {
      fields.push_back(field);
      field.clear();
    } else {
      field += text[i];
    }
  }
  // After the name: state is field 0, utime 11, stime 12.
  double ticks = std::atof(fields.at(11).c_str()) + std::atof(fields.at(12).c_str());
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int connect_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string post(const std::string& path, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// One complete response taken off the front of buf, or false when it is not all there.
bool take_response(std::string& buf, int& status, std::string& body) {
  std::size_t end = buf.find("\r\n\r\n");
  if (end == std::string::npos || buf.size() < 12) return false;
  status = std::atoi(buf.c_str() + 9);
  std::size_t length = 0;
  std::string head = buf.substr(0, end);
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t at = head.find("content-length:");
  if (at != std::string::npos) length = std::strtoul(head.c_str() + at + 15, nullptr, 10);
  if (buf.size() < end + 4 + length) return false;
  body = buf.substr(end + 4, length);
  buf.erase(0, end + 4 + length);
  return true;
}

bool send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// A blocking request on a kept-alive connection (heartbeats and registration).
bool request(int fd, const std::string& message, std::string& buf) {
  if (!send_all(fd, message)) return false;
  int status = 0;
  std::string body;
  char chunk[4096];
  while (!take_response(buf, status, body)) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  return status == 200;
}

std::string node_id(int n) { return "sim-" + std::to_string(n); }

std::string heartbeat(int n) {
  return post("/v1/nodes/" + node_id(n) + "/heartbeat",
              R"({"capacity":{"cpu":4,"memory":8192},"load":0.1})");
}

// Heartbeats for every node every k_heartbeat_interval_s, spread evenly, until stop.
void heartbeat_loop(int port, int nodes, const std::atomic<bool>& stop,
                    std::atomic<long>& beats) {
  std::vector<std::thread> threads;
  for (int c = 0; c < k_heartbeat_connections; ++c) {
    threads.emplace_back([&, c] {
      int fd = connect_loopback(port);
      std::string buf;
      int mine = (nodes - c + k_heartbeat_connections - 1) / k_heartbeat_connections;
      auto gap = std::chrono::microseconds(k_heartbeat_interval_s * 1'000'000L /
                                           std::max(mine, 1));
      auto next = Clock::now();
      for (int n = c; !stop; n += k_heartbeat_connections) {
        if (n >= nodes) n = c;
        if (fd < 0 || !request(fd, heartbeat(n), buf)) {
          if (fd >= 0) close(fd);
          fd = connect_loopback(port);
          buf.clear();
          continue;
        }
        ++beats;
        next += gap;
        std::this_thread::sleep_until(next);
      }
      if (fd >= 0) close(fd);
    });
  }
  for (auto& t : threads) t.join();
}

struct Poller {
  int fd = -1;
  std::string buf;
  std::string result;  // a result being posted: its answer comes before the next lease
};

// The nodes' long-polls, on one epoll thread: a 204 polls again; a lease is recorded (its
// arrival time by task id), its result posted, then the node polls again.
class LongPolls {
 public:
  LongPolls(int port, int nodes) : m_port(port), m_polls(static_cast<std::size_t>(nodes)) {}

  int open_all() {
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    int opened = 0;
    for (std::size_t n = 0; n < m_polls.size(); ++n) {
      Poller& p = m_polls[n];
      p.fd = connect_loopback(m_port);
      if (p.fd < 0) break;
      fcntl(p.fd, F_SETFL, O_NONBLOCK);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = n;
      epoll_ctl(m_epoll, EPOLL_CTL_ADD, p.fd, &ev);
      send_all(p.fd, lease(static_cast<int>(n)));
      ++opened;
    }
    return opened;
  }

  void run(const std::atomic<bool>& stop) {
    std::vector<epoll_event> events(1024);
    char chunk[16384];
    while (!stop) {
      int ready = epoll_wait(m_epoll, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < ready; ++i) {
        std::size_t n = events[static_cast<std::size_t>(i)].data.u64;
        Poller& p = m_polls[n];
        ssize_t got;
        while ((got = ::recv(p.fd, chunk, sizeof chunk, 0)) > 0) {
          p.buf.append(chunk, static_cast<std::size_t>(got));
        }
        if (got == 0) {
          ++m_dropped;
          epoll_ctl(m_epoll, EPOLL_CTL_DEL, p.fd, nullptr);
          continue;
        }
        answered(static_cast<int>(n), p);
      }
    }
  }

  // Task id -> when a node had its lease.
  std::map<std::int64_t, Clock::time_point> arrivals() {
    std::lock_guard lock(m_mutex);
    return m_arrivals;
  }
  long dropped() const { return m_dropped; }

 private:
  static std::string lease(int n) {
    return post("/v1/nodes/" + node_id(n) + "/lease?wait=" + std::to_string(k_lease_wait_s),
                "");
  }

  void answered(int n, Poller& p) {
    int status = 0;
    std::string body;
    while (take_response(p.buf, status, body)) {
      if (!p.result.empty()) {  // the answer to a result: poll again
        p.result.clear();
        send_all(p.fd, lease(n));
      } else if (status == 200) {
        granted(p, body);
      } else {
        send_all(p.fd, lease(n));
      }
    }
  }

  void granted(Poller& p, const std::string& body) {
    auto now = Clock::now();
    auto parsed = json::parse(body);
    if (!parsed) return;
    std::int64_t task = parsed->find("task")->find("task_id")->as_int();
    std::int64_t lease_id = parsed->find("lease")->find("lease_id")->as_int();
    {
      std::lock_guard lock(m_mutex);
      m_arrivals.emplace(task, now);
    }
    p.result = post("/v1/tasks/" + std::to_string(task) + "/result",
                    R"({"lease_id":)" + std::to_string(lease_id) +
                        R"(,"exit_code":0,"output":"1\n","wall_time":0.01})");
    send_all(p.fd, p.result);
  }

  int m_port;
  int m_epoll = -1;
  std::vector<Poller> m_polls;
  std::mutex m_mutex;
  std::map<std::int64_t, Clock::time_point> m_arrivals;
  std::atomic<long> m_dropped{0};
};

void raise_fd_limit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

// Submits `tasks` at `rate` per second; returns task id -> when its submission was sent.
std::map<std::int64_t, Clock::time_point> submit_paced(int port, int tasks, double rate) {
  http::ClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  http::Client http(options);
  std::map<std::int64_t, Clock::time_point> acked;
  auto gap = std::chrono::microseconds(static_cast<long>(1e6 / rate));
  auto next = Clock::now();
  for (int i = 0; i < tasks; ++i) {
    auto sent = Clock::now();
    auto response = http.post("/v1/tasks", R"J({"code":"print(1)"})J");
    if (response && response->status == 201) {
      auto parsed = json::parse(response->body);
      if (parsed) acked.emplace(parsed->find("task_id")->as_int(), sent);
    }
    next += gap;
    std::this_thread::sleep_until(next);
  }
  return acked;
}

}  // namespace

int main(int argc, char** argv) {
  std::string binary = "build/bin/ia-sched";
  int nodes = 10'000;
  double rest_s = 10;
  int tasks = 500;
  double rate = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--sched") binary = argv[i + 1];
    if (flag == "--nodes") nodes = std::atoi(argv[i + 1]);
    if (flag == "--rest") rest_s = std::atof(argv[i + 1]);
    if (flag == "--tasks") tasks = std::atoi(argv[i + 1]);
    if (flag == "--rate") rate = std::atof(argv[i + 1]);
  }
  raise_fd_limit();
  std::printf("ia-sched with %d simulated nodes: each holds a %d s lease long-poll on its own "
              "connection; all heartbeat every %d s; SQLite, loopback\n",
              nodes, k_lease_wait_s, k_heartbeat_interval_s);
  Sched sched = start_sched(binary);
  long rss_empty = rss_kib(sched.pid);

  // Register every node once before it polls: a lease from an unknown node is refused.
  {
    std::vector<std::thread> threads;
    for (int c = 0; c < k_heartbeat_connections; ++c) {
      threads.emplace_back([&, c] {
        int fd = connect_loopback(sched.port);
        std::string buf;
        for (int n = c; n < nodes; n += k_heartbeat_connections) request(fd, heartbeat(n), buf);
        close(fd);
      });
    }
    for (auto& t : threads) t.join();
  }
  std::atomic<bool> stop{false};
  std::atomic<long> beats{0};
  std::thread beating([&] { heartbeat_loop(sched.port, nodes, stop, beats); });
  LongPolls polls(sched.port, nodes);
  int opened = polls.open_all();
  std::thread polling([&] { polls.run(stop); });
  std::this_thread::sleep_for(std::chrono::seconds(2));  // every poll parked

  double cpu0 = cpu_seconds(sched.pid);
  long beats0 = beats;
  auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(rest_s));
  double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  double cpu = (cpu_seconds(sched.pid) - cpu0) / wall;
  std::printf("at rest (%d long-polls held, %.0f heartbeats/s): RSS %.1f MB (empty server "
              "%.1f MB), CPU %.1f%% of a core over %.0f s\n",
              opened, static_cast<double>(beats - beats0) / wall,
              static_cast<double>(rss_kib(sched.pid)) / 1024.0,
              static_cast<double>(rss_empty) / 1024.0, cpu * 100, wall);

  double cpu1 = cpu_seconds(sched.pid);
  auto t1 = Clock::now();
  auto acked = submit_paced(sched.port, tasks, rate);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the last leases arrive
  double busy_wall = std::chrono::duration<double>(Clock::now() - t1).count();
  double busy_cpu = (cpu_seconds(sched.pid) - cpu1) / busy_wall;
  auto arrivals = polls.arrivals();
  std::vector<double> latency;
  for (const auto& [task, at] : acked) {
    auto found = arrivals.find(task);
    if (found == arrivals.end()) continue;
    latency.push_back(std::chrono::duration<double, std::milli>(found->second - at).count());
  }
  std::printf("lease latency with %.0f tasks/s arriving (submission sent -> a waiting node "
              "has it), %zu of %zu tasks: p50 %.2f ms  p99 %.2f ms  max %.2f ms; CPU %.1f%% "
              "of a core, RSS %.1f MB\n",
              rate, latency.size(), acked.size(), percentile(latency, 0.5),
              percentile(latency, 0.99), percentile(latency, 1.0), busy_cpu * 100,
              static_cast<double>(rss_kib(sched.pid)) / 1024.0);
  if (polls.dropped() > 0) {
    std::printf("note: the server closed %ld long-poll connections\n", polls.dropped());
  }
  stop = true;
  beating.join();
  polling.join();
  stop_sched(sched);
  return 0;
}
