// The macOS sandbox backend (lib/sandbox/sandbox_macos.cpp) built against Linux's libc
// and run for real: it uses POSIX calls only, so its contract (exit codes, limits, output,
// stdin, freeze/thaw/kill, what it reports) is checked here without a Mac. Linux-only
// helpers (/proc, setsid(1)) appear in the tests, never in the backend.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/strings.hpp"
#include "core/time.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox_test_util.hpp"

namespace fs = std::filesystem;
using namespace ia;
using namespace ia::sandbox;
using namespace ia::test;
using namespace std::chrono_literals;

namespace {

bool contains(const std::vector<std::string>& list, const std::string& part) {
  for (const std::string& item : list)
    if (item.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("posix backend: exit code, output and what it applies") {
  auto outcome = run(shell("echo out; echo err >&2; exit 3"));
  REQUIRE(outcome);
  CHECK(outcome->exit_code == 3);
  CHECK(outcome->signal == 0);
  CHECK(outcome->stdout_text == "out\n");
  CHECK(outcome->stderr_text == "err\n");
  CHECK(outcome->isolation == std::vector<std::string>{"rlimits"});
  CHECK(contains(outcome->missing, "namespaces"));
  CHECK(contains(outcome->missing, "leave the task's session"));
  CHECK(outcome->max_rss_kb > 100);  // kilobytes, not bytes / 1024
}

TEST_CASE("posix backend: a signal ends the task as 128+N") {
  auto outcome = run(shell("kill -TERM $$"));
  REQUIRE(outcome);
  CHECK(outcome->signal == SIGTERM);
  CHECK(outcome->exit_code == 128 + SIGTERM);
  CHECK_FALSE(outcome->timed_out);
}

TEST_CASE("posix backend: a command named without a slash is found on the task's PATH") {
  Spec spec;
  spec.argv = {"sh", "-c", "exit 7"};
  spec.env = {"PATH=/nonexistent:/bin:/usr/bin"};
  auto outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->exit_code == 7);
}

TEST_CASE("posix backend: a missing command is 127, one that cannot run 126, both with a message") {
  Spec missing;
  missing.argv = {"no-such-command-ia"};
  missing.env = {"PATH=/usr/bin:/bin"};
  auto outcome = run(missing);
  REQUIRE(outcome);
  CHECK(outcome->exit_code == 127);
  CHECK(outcome->stderr_text.find("cannot run 'no-such-command-ia'") != std::string::npos);

  TempDir dir;
  fs::path script = dir.path / "not-executable";
  std::ofstream(script) << "#!/bin/sh\necho never\n";
  Spec refused;
  refused.argv = {script.string()};
  outcome = run(refused);
  REQUIRE(outcome);
  CHECK(outcome->exit_code == 126);
  CHECK(outcome->stdout_text.empty());
}

TEST_CASE("posix backend: none of the caller's descriptors reach the task") {
  int leaked = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC, as a careless caller's
  REQUIRE(leaked >= 0);
  auto outcome = run(shell("ls /proc/$$/fd"));
  ::close(leaked);
  REQUIRE(outcome);
  CHECK(outcome->stdout_text == "0\n1\n2\n");
}

TEST_CASE("posix backend: the task sees only the given environment") {
  Spec spec = shell("env");
  spec.env = {"PATH=/usr/bin:/bin", "IA_ONLY=1"};
  auto outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->stdout_text.find("IA_ONLY=1\n") != std::string::npos);
  CHECK(outcome->stdout_text.find("HOME=") == std::string::npos);
}

TEST_CASE("posix backend: stdin from data, a file, or nothing") {
  Spec spec = shell("tr a-z A-Z");
  spec.stdin_source = {StdinSource::Kind::data, std::string(200000, 'a')};
  auto outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->stdout_text == std::string(200000, 'A'));

  TempDir dir;
  std::ofstream(dir.path / "in") << "from a file\n";
  spec.stdin_source = {StdinSource::Kind::file, (dir.path / "in").string()};
  outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->stdout_text == "FROM A FILE\n");

  spec.stdin_source = {StdinSource::Kind::null, ""};
  outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->stdout_text.empty());

  spec.stdin_source = {StdinSource::Kind::file, (dir.path / "missing").string()};
  auto refused = start(spec);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("missing") != std::string::npos);
}

TEST_CASE("posix backend: output past the limit is dropped and flagged") {
  Spec spec = shell("head -c 3000000 /dev/zero; echo short >&2");
  spec.limits.output = 1000;
  std::size_t streamed = 0;
  spec.on_output = [&streamed](Stream stream, std::string_view chunk) {
    if (stream == Stream::stdout_stream) streamed += chunk.size();
  };
  auto outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->exit_code == 0);
  CHECK(outcome->stdout_text.size() == 1000);
  CHECK(outcome->stdout_truncated);
  CHECK(streamed == 1000);
  CHECK(outcome->stderr_text == "short\n");
  CHECK_FALSE(outcome->stderr_truncated);
}

TEST_CASE("posix backend: the wall-time limit gives 124 and kills the whole session") {
  Spec spec = shell("sleep 31.4159 & sleep 31.4159");
  spec.limits.timeout = Millis(300);
  auto outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->exit_code == 124);
  CHECK(outcome->timed_out);
  CHECK(outcome->limit_hit == "timeout");
  CHECK(outcome->wall_ms < 5000);
  CHECK(pids_with_arg("31.4159").empty());
}

TEST_CASE("posix backend: the CPU-time limit ends a busy task as cpu_time") {
  Spec spec = shell("while :; do :; done");
  spec.limits.cpu_time = Millis(1000);
  auto outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->exit_code == 124);
  CHECK(outcome->timed_out);
  CHECK(outcome->limit_hit == "cpu_time");
  CHECK(outcome->cpu_ms >= 900);
}

TEST_CASE("posix backend: file size and memory rlimits hold") {
  TempDir dir;
  Spec big_file;
  big_file.argv = {"/bin/dd", "if=/dev/zero", "of=big", "bs=1M", "count=5"};
  big_file.workdir = dir.path.string();
  big_file.limits.file_size = 1 << 20;
  auto outcome = run(big_file);
  REQUIRE(outcome);
  CHECK(outcome->signal == SIGXFSZ);
  CHECK(fs::file_size(dir.path / "big") == 1u << 20);

  Spec spec;
  spec.argv = {"/usr/bin/python3", "-c", "b = bytearray(512 << 20)"};
  spec.limits.memory = 256u << 20;
  outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->exit_code == 1);
  CHECK(outcome->stderr_text.find("MemoryError") != std::string::npos);
}

TEST_CASE("posix backend: a daemon that left the session cannot hold wait() open") {
  // The backend cannot kill it (said in missing); wait() must still return soon after the
  // task's own exit, with the output written before it.
  auto outcome = run(shell("setsid sleep 27.1828 & echo started"));
  REQUIRE(outcome);
  CHECK(outcome->exit_code == 0);
  CHECK(outcome->stdout_text == "started\n");
  CHECK(outcome->wall_ms < 5000);
  for (pid_t pid : pids_with_arg("27.1828")) ::kill(pid, SIGKILL);
}

TEST_CASE("posix backend: freeze stops the task, thaw resumes it, kill ends it") {
  Handle handle = check_freeze_thaw_kill(shell("while :; do echo t >> ticks; sleep 0.02; done"),
                                         FreezeBy::signals);
  CHECK_FALSE(handle.freeze());  // reaped: no signal to a pid that may be reused
}

TEST_CASE("posix backend: the default environment's HOME is the working directory") {
  Spec spec = shell("pwd; echo $HOME");
  spec.env = default_env([](const char*) { return nullptr; });
  auto outcome = run(spec);
  REQUIRE(outcome);
  std::vector<std::string> lines = split(outcome->stdout_text, '\n');
  REQUIRE(lines.size() >= 2);
  CHECK(lines[0] == lines[1]);
  CHECK(lines[0] != "/task");
}

TEST_CASE("posix backend: task files are put in the private working directory") {
  Spec spec = shell("./run.sh; cat note; ls -l note run.sh | cut -c1-10");
  spec.files = {{"run.sh", "#!/bin/sh\necho ran\n", true}, {"note", "seeded\n", false}};
  auto outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->stdout_text == "ran\nseeded\n-rw-r--r--\n-rwxr-xr-x\n");
  spec.files = {{"sub/dir", "", false}};
  auto refused = start(spec);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("'sub/dir'") != std::string::npos);
}

TEST_CASE("posix backend: a private working directory is made and removed") {
  auto outcome = run(shell("pwd; touch left-behind"));
  REQUIRE(outcome);
  std::string dir = outcome->stdout_text.substr(0, outcome->stdout_text.size() - 1);
  REQUIRE_FALSE(dir.empty());
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("posix backend: a required mechanism it lacks refuses the task") {
  Spec spec = shell("echo never");
  spec.require = {"net", "seccomp"};
  auto refused = start(spec);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::unsupported);
  CHECK(refused.error().message.find("net,seccomp") != std::string::npos);
}
