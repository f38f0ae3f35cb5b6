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

// spec appends a line to ticks in its working directory every 20 ms: the lines stop while
// it is frozen and resume after thaw, and kill ends it frozen, as SIGKILL. Returns the
// handle, waited.
inline sandbox::Handle check_freeze_thaw_kill(sandbox::Spec spec) {
  using namespace std::chrono_literals;
  TaskDir dir;
  spec.workdir = dir.str();
  Result<sandbox::Handle> handle = sandbox::start(spec);
  REQUIRE(handle);
  Result<sandbox::Outcome> outcome = make_error(ErrorCode::internal, "not waited");
  std::thread waiter([&] { outcome = handle->wait(); });
  std::filesystem::path ticks = dir.path / "ticks";
  for (int i = 0; i < 100 && lines_in(ticks) < 3; ++i) std::this_thread::sleep_for(20ms);
  REQUIRE(lines_in(ticks) >= 3);
  REQUIRE(handle->freeze());
  std::this_thread::sleep_for(100ms);
  std::size_t frozen = lines_in(ticks);
  std::this_thread::sleep_for(400ms);
  CHECK(lines_in(ticks) == frozen);
  REQUIRE(handle->thaw());
  for (int i = 0; i < 100 && lines_in(ticks) <= frozen + 2; ++i) std::this_thread::sleep_for(20ms);
  CHECK(lines_in(ticks) > frozen + 2);
  REQUIRE(handle->freeze());
  REQUIRE(handle->kill());  // a frozen task must still die
  waiter.join();
  REQUIRE(outcome);
  CHECK(outcome->signal == 9);
  CHECK(outcome->exit_code == 137);
  CHECK_FALSE(outcome->timed_out);
  CHECK(outcome->wall_ms < 15000);
  return std::move(handle).value();
}

}  // namespace ia::test
