// Helpers the sandbox tests of both backends share (tests/unit for Linux, tests/posix for
// the macOS backend built on Linux): a shell task, a directory the task's uid may write,
// processes found by an argument, and the freeze, thaw and kill check every backend passes.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/strings.hpp"
#include "sandbox/sandbox.hpp"
#include "temp_dir.hpp"

namespace ia::test {

inline sandbox::Spec shell(const std::string& script) {
  sandbox::Spec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.limits.timeout = Millis(20000);
  spec.limits.output = 1 << 20;
  return spec;
}

// A temporary directory any uid may write: started by root, the task runs as 65534.
struct TaskDir : TempDir {
  TaskDir() { std::filesystem::permissions(path, std::filesystem::perms::all); }
};

inline std::size_t lines_in(const std::filesystem::path& file) {
  std::ifstream in(file);
  return static_cast<std::size_t>(
      std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

// Processes on the machine with arg among their arguments.
inline std::vector<pid_t> pids_with_arg(const std::string& arg) {
  std::vector<pid_t> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    long long pid = 0;
    if (cmdline.find(arg) != std::string::npos &&
        parse_int64(entry.path().filename().string(), pid))
      pids.push_back(static_cast<pid_t>(pid));
  }
  return pids;
}

inline bool process_with_arg(const std::string& arg) {
  return !pids_with_arg(arg).empty();
}

// A process's state letter from /proc/PID/status ('R', 'S', 'D', 'T', ...), '?' if gone.
inline char process_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("State:", 0) == 0) {
      std::size_t at = line.find_first_not_of(" \t", 6);
      return at == std::string::npos ? '?' : line[at];
    }
  }
  return '?';
}

// How a test expects freeze to work: by the cgroup freezer, or by SIGSTOP and SIGCONT.
enum class FreezeBy { any, freezer, signals };

// What happened to a task that appends a line to ticks in its working directory every
// 20 ms across freeze, thaw, and a kill while frozen. Plain values, no assertions, so a
// forked child (another uid) can make one and report it.
struct FreezeRun {
  std::string failed;    // the step that failed; "" when every step ran
  bool held = false;     // no line while frozen
  bool resumed = false;  // lines again after thaw
  // The sandbox init's /proc state letter while frozen: 'T' when stopped by SIGSTOP; a
  // cgroup freezer leaves it sleeping ('S' or 'D') and untouched by job control.
  char frozen_state = '?';
  std::optional<sandbox::Handle> handle;
  Result<sandbox::Outcome> outcome = make_error(ErrorCode::internal, "not waited");
};

inline FreezeRun freeze_thaw_kill(sandbox::Spec spec, const std::filesystem::path& dir) {
  using namespace std::chrono_literals;
  FreezeRun run;
  spec.workdir = dir.string();
  Result<sandbox::Handle> handle = sandbox::start(spec);
  if (!handle) {
    run.failed = "start: " + handle.error().message;
    return run;
  }
  run.handle.emplace(std::move(handle).value());
  sandbox::Handle& task = *run.handle;
  std::thread waiter([&] { run.outcome = task.wait(); });
  std::filesystem::path ticks = dir / "ticks";
  for (int i = 0; i < 100 && lines_in(ticks) < 3; ++i) std::this_thread::sleep_for(20ms);
  if (lines_in(ticks) < 3) run.failed = "no ticks";
  if (run.failed.empty() && !task.freeze()) run.failed = "freeze";
  if (run.failed.empty()) {
    std::this_thread::sleep_for(100ms);
    run.frozen_state = process_state(task.pid());
    std::size_t frozen = lines_in(ticks);
    std::this_thread::sleep_for(400ms);
    run.held = lines_in(ticks) == frozen;
    if (!task.thaw()) run.failed = "thaw";
    for (int i = 0; i < 100 && lines_in(ticks) <= frozen + 2; ++i)
      std::this_thread::sleep_for(20ms);
    run.resumed = lines_in(ticks) > frozen + 2;
    if (run.failed.empty() && !task.freeze()) run.failed = "freeze again";
  }
  (void)task.kill();  // a frozen task must still die
  waiter.join();
  return run;
}

// freeze_thaw_kill's run checked: held while frozen, resumed after thaw, killed frozen as
// SIGKILL. Returns the handle, waited.
inline sandbox::Handle check_freeze_thaw_kill(const sandbox::Spec& spec,
                                              FreezeBy by = FreezeBy::any) {
  TaskDir dir;
  FreezeRun run = freeze_thaw_kill(spec, dir.path);
  REQUIRE(run.failed == "");
  if (by == FreezeBy::freezer) CHECK(run.frozen_state != 'T');
  if (by == FreezeBy::signals) CHECK(run.frozen_state == 'T');
  CHECK(run.held);
  CHECK(run.resumed);
  REQUIRE(run.outcome);
  CHECK(run.outcome->signal == 9);
  CHECK(run.outcome->exit_code == 137);
  CHECK_FALSE(run.outcome->timed_out);
  CHECK(run.outcome->wall_ms < 15000);
  return std::move(*run.handle);
}

}  // namespace ia::test
