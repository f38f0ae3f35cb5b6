// cgroup v2 live, on a real cgroup2 mount. Where the machine's controllers sit on v1 (as
// here) the unified hierarchy still has the core files (cgroup.procs, cgroup.freeze,
// cgroup.kill), so the v2 freezer and kill paths run for real; the limits need the
// controllers on the v2 mount (scripts/checks/cgroup-v2-live moves pids and cpu there).
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/strings.hpp"
#include "sandbox/cgroup.hpp"
#include "skip.hpp"

namespace fs = std::filesystem;
using namespace ia::sandbox;

namespace {

// A writable cgroup2 mount with the freezer and cgroup.kill, or "".
std::string live_v2_base() {
  if (::geteuid() != 0) return {};
  CgroupLayout layout = probe_system_layout();
  std::string base = layout.v2_root;
  if (base.empty() && fs::exists("/sys/fs/cgroup/unified/cgroup.procs")) {
    base = "/sys/fs/cgroup/unified";
  }
  if (base.empty() || ::access(base.c_str(), W_OK) != 0) return {};
  return base;
}

// Polls for up to two seconds: the kernel freezes and kills asynchronously.
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 200; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

bool events_say_frozen(const std::string& dir, bool frozen) {
  for (const std::string& line : ia::split(read_text(dir + "/cgroup.events"), '\n')) {
    if (line == std::string("frozen ") + (frozen ? "1" : "0")) return true;
  }
  return false;
}

// A child that writes a byte to the pipe every 5 ms, and a grandchild in a new session
// (a "daemon" the child leaves behind) that does the same.
pid_t start_ticker(int write_fd) {
  pid_t child = ::fork();
  if (child == 0) {
    if (::fork() == 0) {
      ::setsid();
      for (;;) {
        (void)!::write(write_fd, "d", 1);
        ::usleep(5000);
      }
    }
    for (;;) {
      (void)!::write(write_fd, "c", 1);
      ::usleep(5000);
    }
  }
  return child;
}

bool offers(const std::string& dir, const std::string& controller) {
  std::vector<std::string> names =
      ia::split_fields(ia::trim(read_text(dir + "/cgroup.controllers")));
  return std::find(names.begin(), names.end(), controller) != names.end();
}

// The value of key in a flat keyed file (cpu.stat, pids.events), or -1.
long long keyed(const std::string& file, const std::string& key) {
  for (const std::string& line : ia::split(read_text(file), '\n')) {
    std::vector<std::string> fields = ia::split_fields(line);
    long long value = 0;
    if (fields.size() == 2 && fields[0] == key && ia::parse_int64(fields[1], value)) return value;
  }
  return -1;
}

// Runs body in a child that waits (stopped) until it is in the cgroup; its exit code.
int run_attached(Cgroup& cg, const std::function<int()>& body) {
  pid_t child = ::fork();
  if (child == 0) {
    ::raise(SIGSTOP);
    ::_exit(body());
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, WUNTRACED) == child);
  REQUIRE(cg.attach(child));
  ::kill(child, SIGCONT);
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

// Forks children that wait until it exits; how many forks succeeded before one failed.
int fork_until_refused() {
  int forked = 0;
  for (; forked < 50; ++forked) {
    pid_t pid = ::fork();
    if (pid < 0) break;
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::pause();
      ::_exit(0);
    }
  }
  return forked;
}

int spin_for(std::chrono::milliseconds wall) {
  auto end = std::chrono::steady_clock::now() + wall;
  while (std::chrono::steady_clock::now() < end) {
  }
  return 0;
}

std::size_t drain(int read_fd) {
  char buffer[4096];
  std::size_t total = 0;
  for (ssize_t n; (n = ::read(read_fd, buffer, sizeof buffer)) > 0;) {
    total += static_cast<std::size_t>(n);
  }
  return total;
}

}  // namespace

TEST_CASE("cgroup v2 live: freeze stops every member, thaw resumes, kill ends even a daemon") {
  std::string base = live_v2_base();
  if (base.empty()) {
    IA_SKIP("needs root and a writable cgroup2 mount");
  }
  std::string name = "unit-" + std::to_string(::getpid());
  auto made = create_cgroup_v2(base, "ia-unit-test", name);
  REQUIRE(made);
  Cgroup& cg = **made;
  std::string dir = cg.paths().at(0);
  std::vector<std::string> applied;
  REQUIRE(cg.apply(Limits{}, applied));
  CHECK(std::find(applied.begin(), applied.end(), "freezer") != applied.end());

  int fds[2];
  REQUIRE(::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
  // Attach before the ticker forks its daemon, as the sandbox attaches before exec.
  pid_t child = ::fork();
  if (child == 0) {
    ::raise(SIGSTOP);
    ::close(fds[0]);
    pid_t ticker = start_ticker(fds[1]);
    ::waitpid(ticker, nullptr, 0);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, WUNTRACED) == child);
  REQUIRE(cg.attach(child));
  ::kill(child, SIGCONT);
  ::close(fds[1]);
  CHECK(eventually([&] { return read_pids(dir + "/cgroup.procs").size() == 3; }));
  CHECK(eventually([&] { return drain(fds[0]) > 0; }));

  REQUIRE(cg.freeze());
  CHECK(eventually([&] { return events_say_frozen(dir, true); }));
  drain(fds[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(drain(fds[0]) == 0);  // nobody in the cgroup ran

  REQUIRE(cg.thaw());
  CHECK(eventually([&] { return events_say_frozen(dir, false); }));
  CHECK(eventually([&] { return drain(fds[0]) > 0; }));

  REQUIRE(cg.kill_all());
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  // The setsid daemon was in the cgroup too: gone with it.
  CHECK(eventually([&] { return read_pids(dir + "/cgroup.procs").empty(); }));
  drain(fds[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(drain(fds[0]) == 0);
  ::close(fds[0]);

  REQUIRE(cg.remove());
  CHECK_FALSE(fs::exists(dir));
  ::rmdir((base + "/ia-unit-test").c_str());
}

TEST_CASE("cgroup v2 live: pids.max refuses the fork past the limit and cpu.max throttles") {
  std::string base = live_v2_base();
  if (base.empty() || !offers(base, "pids") || !offers(base, "cpu")) {
    IA_SKIP("needs root and the pids and cpu controllers on a writable cgroup2 mount");
  }
  auto made = create_cgroup_v2(base, "ia-unit-test", "limits-" + std::to_string(::getpid()));
  REQUIRE(made);
  Cgroup& cg = **made;
  std::string dir = cg.paths().at(0);
  Limits limits;
  limits.pids = 5;
  limits.cpus = 0.1;
  std::vector<std::string> applied;
  REQUIRE(cg.apply(limits, applied));
  CHECK(applied == std::vector<std::string>{"pids", "cpu", "freezer"});
  CHECK(read_text(dir + "/pids.max") == "5\n");
  CHECK(read_text(dir + "/cpu.max") == "10000 100000\n");

  // The forking process counts itself: four children, then EAGAIN.
  CHECK(run_attached(cg, fork_until_refused) == 4);
  CHECK(keyed(dir + "/pids.events", "max") > 0);
  CHECK(eventually([&] { return read_pids(dir + "/cgroup.procs").empty(); }));

  // 10 ms per 100 ms period: half a second of spinning is throttled every period.
  CHECK(run_attached(cg, [] { return spin_for(std::chrono::milliseconds(500)); }) == 0);
  CHECK(keyed(dir + "/cpu.stat", "nr_throttled") > 0);
  long long used_us = keyed(dir + "/cpu.stat", "usage_usec");
  CHECK(used_us > 0);
  CHECK(used_us < 300'000);  // unthrottled, the spin would use close to 500 ms
  CHECK(cg.usage().cpu_ms == used_us / 1000);

  REQUIRE(cg.remove());
  CHECK_FALSE(fs::exists(dir));
  ::rmdir((base + "/ia-unit-test").c_str());
}
