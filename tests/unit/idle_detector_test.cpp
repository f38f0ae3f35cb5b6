#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utmp.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/time.hpp"
#include "idle/detector.hpp"
#include "idle/input_linux.hpp"
#include "idle/policy.hpp"

namespace fs = std::filesystem;
using namespace ia::idle;

namespace {

const std::string k_fixtures = std::string(IA_TEST_FIXTURES) + "/idle";
const std::string k_fake_nvml = std::string(IA_TEST_BINARY_DIR) + "/support/libfake_nvml.so";

struct TempDir {
  fs::path path;
  TempDir() {
    char pattern[] = "/tmp/ia-idle-test-XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { fs::remove_all(path); }
  // Atomic (write, then rename), so a Detector reading meanwhile sees old or new.
  void write(const std::string& relative, const std::string& text) const {
    fs::create_directories((path / relative).parent_path());
    fs::path temp = path / (relative + ".new");
    std::ofstream(temp) << text;
    fs::rename(temp, path / relative);
  }
};

Checks only(bool Checks::*member) {
  Checks checks{false, false, false, false, false, false, false};
  checks.*member = true;
  return checks;
}

DetectorOptions fixture(const std::string& name, Checks checks) {
  DetectorOptions options;
  options.root = k_fixtures + "/" + name;
  options.checks = checks;
  options.cpu_window = ia::Millis(0);
  options.nvml_path = k_fake_nvml;
  return options;
}

// setenv for one test, restored after it.
struct ScopedEnv {
  std::string name;
  ScopedEnv(const char* n, const std::string& value) : name(n) { setenv(n, value.c_str(), 1); }
  ~ScopedEnv() { unsetenv(name.c_str()); }
};

}  // namespace

TEST_CASE("detector: memory, power and load average from a desktop fixture tree") {
  Detector detector(fixture("desktop", Checks{false, true, true, true, false, false, false}));
  auto s = detector.sample();
  REQUIRE(s);
  CHECK(s->memory.present);
  CHECK(s->memory.total_bytes == 16000000ull * 1024);
  CHECK(s->memory.used_percent() == Approx(75));
  CHECK(s->power.present);
  CHECK_FALSE(s->power.on_battery);  // charging on mains
  // load 3.0 on 4 CPUs, minus the one own runnable process (pid 200, cgroup /ia/task-7)
  CHECK(s->cpu.source == "/proc/loadavg");
  CHECK(s->cpu.busy_percent == Approx(50));
}

TEST_CASE("detector: a laptop on battery, busy only when mains is required") {
  Detector detector(fixture("laptop-on-battery", Checks{false, true, true, true, false, false, false}));
  auto s = detector.sample();
  REQUIRE(s);
  CHECK(s->power.on_battery);
  CHECK(s->power.detail.find("BAT0 discharging") != std::string::npos);
  CHECK(s->cpu.busy_percent == Approx(10));
  Policy policy;
  CHECK(evaluate(policy, *s).idle);
  policy.require_ac = true;
  CHECK_FALSE(evaluate(policy, *s).idle);
}

TEST_CASE("detector: busy_if_running matches comm or argv[0], never own tasks") {
  DetectorOptions options = fixture("desktop", only(&Checks::processes));
  options.busy_if_running = {"steam", "Xorg", "python3", "obs"};
  Detector detector(options);
  auto s = detector.sample();
  REQUIRE(s);
  CHECK(s->processes.running == std::vector<std::string>{"steam", "Xorg"});
}

TEST_CASE("detector: a broken tree is an error naming the file, not a crash") {
  Detector detector(fixture("broken", only(&Checks::cpu)));
  auto s = detector.sample();
  REQUIRE_FALSE(s);
  CHECK(s.error().message.find("/proc/loadavg") != std::string::npos);
  DetectorOptions windowed = fixture("broken", only(&Checks::cpu));
  windowed.cpu_window = ia::Millis(10);
  auto w = Detector(windowed).sample();
  REQUIRE_FALSE(w);
  CHECK(w.error().message.find("/proc/stat") != std::string::npos);
  Detector memory(fixture("broken", only(&Checks::memory)));
  auto m = memory.sample();
  REQUIRE(m);
  CHECK_FALSE(m->memory.present);
  CHECK(m->memory.detail.find("MemAvailable") != std::string::npos);
  auto missing = Detector(fixture("no-such-tree", only(&Checks::cpu))).sample();
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("no-such-tree") != std::string::npos);
}

TEST_CASE("detector: CPU over a window subtracts ia's own cgroup usage") {
  TempDir root;
  root.write("proc/stat", "cpu  1000 0 0 9000 0 0 0 0 0 0\ncpu0 1 1 1 1\ncpu1 1 1 1 1\n");
  root.write("sys/fs/cgroup/cpuacct/ia/cpuacct.usage", "0\n");
  DetectorOptions options = fixture("desktop", only(&Checks::cpu));
  options.root = root.path.string();
  options.cpu_window = ia::Millis(1000);
  REQUIRE(sysconf(_SC_CLK_TCK) == 100);
  // The counters move once, well inside the window, as a kernel's would between reads.
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // 200 ticks (2 s at 100 Hz) elapse: 120 busy, of which 0.8 s by our own tasks.
    root.write("proc/stat", "cpu  1120 0 0 9080 0 0 0 0 0 0\ncpu0 1 1 1 1\ncpu1 1 1 1 1\n");
    root.write("sys/fs/cgroup/cpuacct/ia/cpuacct.usage", "800000000\n");
  });
  auto s = Detector(options).sample();
  writer.join();
  REQUIRE(s);
  CHECK(s->cpu.window_ms == 1000);
  CHECK(s->cpu.own_percent == Approx(40));
  CHECK(s->cpu.busy_percent == Approx(20));
}

TEST_CASE("detector: memory charged to ia's own cgroup does not count as the owner's") {
  TempDir root;
  root.write("proc/meminfo", "MemTotal: 8388608 kB\nMemFree: 1048576 kB\n"
                             "MemAvailable: 1048576 kB\n");
  DetectorOptions options = fixture("desktop", only(&Checks::memory));
  options.root = root.path.string();
  auto busy = Detector(options).sample();
  REQUIRE(busy);
  CHECK(busy->memory.used_percent() == Approx(87.5));
  // 6 GiB of the 7 GiB in use belong to ia's tasks (cgroup v1 here; v2 reads memory.current).
  root.write("sys/fs/cgroup/memory/ia/memory.usage_in_bytes", "6442450944\n");
  auto own = Detector(options).sample();
  REQUIRE(own);
  CHECK(own->memory.own_bytes == 6442450944ull);
  CHECK(own->memory.used_percent() == Approx(12.5));
  ia::idle::Policy policy;
  policy.max_memory = 50;
  ia::idle::Verdict verdict = ia::idle::evaluate(policy, *own);
  CHECK(verdict.idle);
  bool mentioned = false;
  for (const auto& signal : verdict.signals) {
    if (signal.name == "memory") mentioned = signal.reason.find("own tasks' 6G") != std::string::npos;
  }
  CHECK(mentioned);
}

TEST_CASE("detector: without an own cgroup, own processes' ticks are subtracted") {
  TempDir root;
  root.write("proc/stat", "cpu  1000 0 0 9000 0 0 0 0 0 0\n");
  root.write("proc/77/stat", "77 (job) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0\n");
  root.write("proc/77/cgroup", "0::/nodes/ia/task-1\n");
  root.write("proc/78/stat", "78 (editor) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0\n");
  root.write("proc/78/cgroup", "0::/user.slice\n");
  DetectorOptions options = fixture("desktop", only(&Checks::cpu));
  options.root = root.path.string();
  options.cpu_window = ia::Millis(1000);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    root.write("proc/stat", "cpu  1100 0 0 9100 0 0 0 0 0 0\n");
    root.write("proc/77/stat", "77 (job) R 1 1 1 0 -1 0 0 0 0 0 60 20 0 0\n");
    root.write("proc/78/stat", "78 (editor) R 1 1 1 0 -1 0 0 0 0 0 10 0 0 0\n");
  });
  auto s = Detector(options).sample();
  writer.join();
  REQUIRE(s);
  CHECK(s->cpu.own_percent == Approx(40));
  CHECK(s->cpu.busy_percent == Approx(10));
}

TEST_CASE("detector: fake NVML loaded by dlopen, compositor idle, training busy") {
  TempDir dir;
  ScopedEnv script("IA_FAKE_NVML_SCRIPT", (dir.path / "nvml").string());
  dir.write("nvml", "gpu GeForce util=2 used=94371840 total=8589934592\n"
                    "proc 0 graphics 300 94371840\n");
  Detector detector(fixture("desktop", only(&Checks::gpu)));
  auto s = detector.sample();
  REQUIRE(s);
  REQUIRE(s->gpu.present);
  REQUIRE(s->gpu.devices.size() == 1);
  const GpuDevice& gpu = s->gpu.devices[0];
  CHECK(gpu.name == "GeForce");
  CHECK(gpu.utilization == 2u);
  REQUIRE(gpu.processes.size() == 1);
  CHECK(gpu.processes[0].name == "Xorg");  // named from the fixture's /proc/300/comm
  CHECK(evaluate(Policy{}, *s).idle);

  // The same Detector, NVML still loaded: now someone trains on it.
  dir.write("nvml", "gpu GeForce util=97 used=6442450944 total=8589934592\n"
                    "proc 0 graphics 300 94371840\nproc 0 compute 100 6348079104\n");
  auto busy = detector.sample();
  REQUIRE(busy);
  Verdict v = evaluate(Policy{}, *busy);
  CHECK_FALSE(v.idle);
  REQUIRE(v.gpus.size() == 1);
  CHECK(v.gpus[0].busy);
}

TEST_CASE("detector: NVML process of ia's own task is ignored, old drivers' list works") {
  TempDir dir;
  ScopedEnv script("IA_FAKE_NVML_SCRIPT", (dir.path / "nvml").string());
  dir.write("nvml", "no_v3\ngpu A100 util=99 used=17179869184 total=42949672960\n"
                    "proc 0 compute 200 17179869184\n");
  auto s = Detector(fixture("desktop", only(&Checks::gpu))).sample();
  REQUIRE(s);
  REQUIRE(s->gpu.devices.at(0).processes.size() == 1);
  CHECK(s->gpu.devices[0].processes[0].own);
  Verdict v = evaluate(Policy{}, *s);
  CHECK(v.idle);
  CHECK(v.gpus.at(0).reasons.back().find("own") != std::string::npos);
}

TEST_CASE("detector: no driver, a failing driver and a missing library are normal answers") {
  TempDir dir;
  ScopedEnv script("IA_FAKE_NVML_SCRIPT", (dir.path / "nvml").string());
  dir.write("nvml", "init fail 9\n");
  auto failing = Detector(fixture("desktop", only(&Checks::gpu))).sample();
  REQUIRE(failing);
  CHECK_FALSE(failing->gpu.present);
  CHECK(failing->gpu.detail.find("Driver Not Loaded") != std::string::npos);
  DetectorOptions options = fixture("desktop", only(&Checks::gpu));
  options.nvml_path = (dir.path / "libnope.so").string();
  auto missing = Detector(options).sample();
  REQUIRE(missing);
  CHECK_FALSE(missing->gpu.present);
  CHECK(missing->gpu.detail.find("libnope.so") != std::string::npos);
  dir.write("nvml", "");
  auto none = Detector(fixture("desktop", only(&Checks::gpu))).sample();
  REQUIRE(none);
  CHECK(none->gpu.present);
  CHECK(none->gpu.devices.empty());
  CHECK(evaluate(Policy{}, *none).idle);
}

TEST_CASE("parse_checks: names signals, suggests the closest on a typo") {
  auto checks = parse_checks("input,gpu");
  REQUIRE(checks);
  CHECK(checks->input);
  CHECK(checks->gpu);
  CHECK_FALSE(checks->cpu);
  auto bad = parse_checks("input,gpus");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("gpus") != std::string::npos);
  CHECK(bad.error().hint.find("'gpu'") != std::string::npos);
}

namespace {

void add_login(std::string& utmp_data, const char* user, const char* line, pid_t pid) {
  struct utmp entry;
  std::memset(&entry, 0, sizeof entry);
  entry.ut_type = USER_PROCESS;
  entry.ut_pid = pid;
  std::strncpy(entry.ut_line, line, sizeof entry.ut_line - 1);
  std::strncpy(entry.ut_user, user, sizeof entry.ut_user - 1);
  utmp_data.append(reinterpret_cast<const char*>(&entry), sizeof entry);
}

void set_atime(const fs::path& file, std::int64_t unix_ms) {
  struct timespec times[2];
  times[0].tv_sec = unix_ms / 1000;
  times[0].tv_nsec = (unix_ms % 1000) * 1000000;
  times[1] = times[0];
  REQUIRE(utimensat(AT_FDCWD, file.c_str(), times, 0) == 0);
}

}  // namespace

TEST_CASE("terminal: the most recently used tty of a live login wins, stale records are skipped") {
  TempDir root;
  std::string utmp;
  add_login(utmp, "alice", "pts/0", 4242);
  add_login(utmp, "bob", "tty2", 0);
  add_login(utmp, "ghost", "pts/9", 999999);  // its process is gone
  root.write("run/utmp", utmp);
  root.write("proc/4242/stat", "x");
  root.write("dev/pts/0", "");
  root.write("dev/tty2", "");
  root.write("dev/pts/9", "");
  std::int64_t now = ia::unix_now_ms();
  set_atime(root.path / "dev/pts/0", now - 600000);
  set_atime(root.path / "dev/tty2", now - 120000);
  set_atime(root.path / "dev/pts/9", now);
  InputSource source = terminal_input_source(root.path.string());
  CHECK(source.present);
  REQUIRE(source.idle_ms);
  CHECK(*source.idle_ms >= 120000);
  CHECK(*source.idle_ms < 130000);
  CHECK(source.detail.find("alice on pts/0") != std::string::npos);
  CHECK(source.detail.find("ghost") == std::string::npos);
}

TEST_CASE("terminal: no utmp, or one without logins, is an absent source") {
  TempDir root;
  CHECK_FALSE(terminal_input_source(root.path.string()).present);
  root.write("run/utmp", std::string(7, 'x'));  // shorter than one record
  InputSource junk = terminal_input_source(root.path.string());
  CHECK_FALSE(junk.present);
  CHECK(junk.detail.find("no terminal logins") != std::string::npos);
}

TEST_CASE("x11: without DISPLAY the source is absent and says so") {
  const char* saved = getenv("DISPLAY");
  std::string keep = saved ? saved : "";
  unsetenv("DISPLAY");
  InputSource source = x11_input_source();
  CHECK_FALSE(source.present);
  CHECK(source.detail == "DISPLAY is not set");
  setenv("DISPLAY", ":93517", 1);  // no such server
  InputSource unreachable = x11_input_source();
  CHECK_FALSE(unreachable.present);
  CHECK(unreachable.detail.find(":93517") != std::string::npos);
  if (saved) setenv("DISPLAY", keep.c_str(), 1); else unsetenv("DISPLAY");
}

TEST_CASE("logind: no bus socket, or a bus that is not there, is an absent source") {
  InputSource none = logind_input_source("unix:path=/nonexistent/ia-bus");
  CHECK_FALSE(none.present);
  CHECK(none.detail.find("/nonexistent/ia-bus") != std::string::npos);
  InputSource bad = logind_input_source("unix:abstract=ia-no-such-bus-93517");
  CHECK_FALSE(bad.present);
  CHECK(bad.detail.find("cannot reach") != std::string::npos);
}
