// The library API ia-node uses: live output chunks, capture limits, stdin data, freeze,
// thaw and kill from another thread, and nothing left behind. Real processes and
// namespaces; each task bounded by a timeout.
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "core/strings.hpp"
#include "core/time.hpp"
#include "sandbox/cgroup.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox_test_util.hpp"
#include "skip.hpp"

namespace fs = std::filesystem;
using namespace ia;
using namespace ia::sandbox;
using namespace ia::test;
using namespace std::chrono_literals;

TEST_CASE("sandbox handle: output chunks stream while the task still runs") {
  Spec spec = shell("echo first; sleep 0.5; echo second >&2");
  std::vector<std::pair<Stream, std::int64_t>> seen;
  spec.on_output = [&seen](Stream stream, std::string_view) {
    seen.push_back({stream, steady_now_ms()});
  };
  auto outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->exit_code == 0);
  CHECK(outcome->stdout_text == "first\n");
  CHECK(outcome->stderr_text == "second\n");
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].first == Stream::stdout_stream);
  CHECK(seen[1].second - seen[0].second >= 300);
}

TEST_CASE("sandbox handle: output past the limit is dropped and flagged, callbacks included") {
  Spec spec = shell("head -c 300000 /dev/zero; echo short >&2");
  spec.limits.output = 1000;
  std::size_t streamed = 0;
  spec.on_output = [&streamed](Stream stream, std::string_view chunk) {
    if (stream == Stream::stdout_stream) streamed += chunk.size();
  };
  auto outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->stdout_text.size() == 1000);
  CHECK(outcome->stdout_truncated);
  CHECK(streamed == 1000);
  CHECK_FALSE(outcome->stderr_truncated);
  CHECK(outcome->stderr_text == "short\n");
}

TEST_CASE("sandbox handle: stdin data reaches the task") {
  Spec spec = shell("tr a-z A-Z");
  spec.stdin_source = {StdinSource::Kind::data, "hello sandbox\n"};
  auto outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->stdout_text == "HELLO SANDBOX\n");
}

TEST_CASE("sandbox handle: freeze stops the task, thaw resumes it, kill ends it (freezer)") {
  CgroupLayout layout = probe_system_layout();
  if (layout.version == CgroupLayout::Version::none || ::geteuid() != 0) {
    IA_SKIP("needs root and a cgroup freezer");
  }
  check_freeze_thaw_kill(shell("while :; do echo t >> /task/ticks; sleep 0.02; done"),
                         FreezeBy::freezer);
}

TEST_CASE("sandbox handle: a task nobody freezes gets no freezer, and freeze still works") {
  CgroupLayout layout = probe_system_layout();
  if (layout.version != CgroupLayout::Version::v1 || ::geteuid() != 0) {
    IA_SKIP("needs root and cgroup v1 controllers");
  }
  Spec spec = shell("true");
  spec.limits.memory = 256ull << 20;
  spec.freezable = false;
  Result<Outcome> outcome = run(spec);
  REQUIRE(outcome);
  auto has = [&outcome](const char* name) {
    return std::find(outcome->isolation.begin(), outcome->isolation.end(), name) !=
           outcome->isolation.end();
  };
  CHECK(has("mem"));
  CHECK_FALSE(has("freezer"));
  spec.require = {"freezer"};  // asked for, it is there
  outcome = run(spec);
  REQUIRE(outcome);
  CHECK(has("freezer"));
  // Without it, freeze and thaw fall back to signals.
  Spec ticking = shell("while :; do echo t >> /task/ticks; sleep 0.02; done");
  ticking.freezable = false;
  check_freeze_thaw_kill(ticking, FreezeBy::signals);
}

// The machine's cgroup2 mount when this process may make cgroups there, else "".
std::string writable_v2_mount() {
  std::string mount = probe_system_layout().v2_mount;
  if (mount.empty() || ::geteuid() != 0 || ::access(mount.c_str(), W_OK) != 0) return {};
  return mount;
}

TEST_CASE("sandbox handle: in a v2 cgroup the task starts inside, freezes and is killed by it") {
  std::string v2_mount = writable_v2_mount();
  if (v2_mount.empty()) {
    IA_SKIP("needs root and a writable cgroup2 mount");
  }
  // On a hybrid host (controllers on v1, as here) the unified mount has no controllers:
  // the task still starts inside through clone3, and rlimits stand in for the limits.
  Spec spec = shell("cat /proc/self/cgroup; echo '|'; cat /proc/1/cgroup");
  spec.cgroups = CgroupMode::v2;
  spec.limits.memory = 256ull << 20;
  spec.cgroup_parent = "ia-unit-v2-" + std::to_string(::getpid());
  Result<Outcome> outcome = run(spec);
  REQUIRE(outcome);
  REQUIRE(outcome->exit_code == 0);
  std::string inside = "0::/" + spec.cgroup_parent + "/task-";
  std::size_t bar = outcome->stdout_text.find('|');
  REQUIRE(bar != std::string::npos);
  CHECK(outcome->stdout_text.substr(0, bar).find(inside) != std::string::npos);  // the task
  CHECK(outcome->stdout_text.substr(bar).find(inside) != std::string::npos);     // its init
  CHECK(std::find(outcome->isolation.begin(), outcome->isolation.end(), "freezer") !=
        outcome->isolation.end());
  if (std::find(outcome->isolation.begin(), outcome->isolation.end(), "mem") ==
      outcome->isolation.end()) {
    bool said = false;
    for (const std::string& why : outcome->missing) said = said || why.find("mem (") == 0;
    CHECK(said);
  }
  Spec ticking = shell("while :; do echo t >> /task/ticks; sleep 0.02; done");
  ticking.cgroups = CgroupMode::v2;
  ticking.cgroup_parent = spec.cgroup_parent;
  check_freeze_thaw_kill(ticking, FreezeBy::freezer);
  std::string parent = v2_mount + "/" + spec.cgroup_parent;
  for (const auto& entry : fs::directory_iterator(parent)) {
    CHECK_FALSE(entry.is_directory());  // every task's cgroup is gone
  }
  ::rmdir(parent.c_str());
}

// Runs body in a forked child, under the seccomp program when one is given and as uid
// 65534 when as_nobody and this is root, and returns the text body made there.
std::string run_in_child(std::vector<sock_filter> program, bool as_nobody,
                         const std::function<std::string()>& body) {
  int out[2];
  REQUIRE(::pipe(out) == 0);
  pid_t child = ::fork();
  if (child == 0) {
    sock_fprog filter{static_cast<unsigned short>(program.size()), program.data()};
    // Dumpable again after the change of uid, as a program started as 65534 is: an
    // undumpable process cannot write its own /proc/self/uid_map.
    bool dropped = !as_nobody || ::getuid() != 0 ||
                   (::setgroups(0, nullptr) == 0 && ::setgid(65534) == 0 && ::setuid(65534) == 0 &&
                    ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
    if (!dropped ||
        (!program.empty() && (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
                              ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter) != 0))) {
      ::_exit(2);
    }
    std::string text = body();
    (void)!::write(out[1], text.data(), text.size());
    ::_exit(0);
  }
  ::close(out[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  ::close(out[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  return text;
}

// Runs spec in a child process where clone3 fails with ENOSYS, as under an older kernel
// or a container's seccomp policy; returns the task's output ("" when it did not run).
std::string run_without_clone3(const Spec& spec) {
  return run_in_child(
      {
          BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
          BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
          BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
          BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      },
      false, [&spec] {
        Result<Outcome> outcome = run(spec);
        return outcome && outcome->exit_code == 0 ? outcome->stdout_text : std::string();
      });
}

TEST_CASE("sandbox handle: without clone3 a v2 task is moved into its cgroup instead") {
  std::string v2_mount = writable_v2_mount();
  if (v2_mount.empty()) {
    IA_SKIP("needs root and a writable cgroup2 mount");
  }
  Spec spec = shell("cat /proc/self/cgroup");
  spec.cgroups = CgroupMode::v2;
  spec.cgroup_parent = "ia-unit-noclone3-" + std::to_string(::getpid());
  std::string text = run_without_clone3(spec);
  CHECK(text.find("0::/" + spec.cgroup_parent + "/task-") != std::string::npos);
  ::rmdir((v2_mount + "/" + spec.cgroup_parent).c_str());
}

// Runs spec as an unprivileged user in a child process where the kernel refuses user
// namespaces (clone with CLONE_NEWUSER fails with EPERM, clone3 with ENOSYS), as with
// user.max_user_namespaces=0; returns "exit_code wall_ms\nmissing...\nstdout".
std::string run_without_user_namespaces(const Spec& spec) {
  return run_in_child(
      {
          BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
          BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
          BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
          BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3),
          BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
          BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
          BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
          BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      },
      true, [&spec] {
        Result<Outcome> outcome = run(spec);
        return outcome
                   ? std::to_string(outcome->exit_code) + " " + std::to_string(outcome->wall_ms) +
                         "\n" + join(outcome->missing, "; ") + "\n" + outcome->stdout_text
                   : "error " + outcome.error().message;
      });
}

TEST_CASE(
    "sandbox handle: without user namespaces rlimits remain and are named and a daemon cannot hang "
    "wait") {
  std::string marker = "27." + std::to_string(::getpid()) + "1";
  // The task's files land in the host directory that stands in for the private tmpfs.
  Spec spec = shell("setsid sleep " + marker + " & ./hello");
  spec.files = {{"hello", "#!/bin/sh\necho started\n", true}};
  std::string text = run_without_user_namespaces(spec);
  for (pid_t pid : pids_with_arg(marker)) ::kill(pid, SIGKILL);
  std::vector<std::string> lines = split(text, '\n');
  REQUIRE(lines.size() >= 3);
  std::vector<std::string> head = split(lines[0], ' ');
  REQUIRE(head.size() == 2);
  CHECK(head[0] == "0");
  CHECK(std::stoll(head[1]) < 5000);  // not the daemon's 27 seconds
  CHECK(lines[1].find("namespaces (clone: Operation not permitted)") != std::string::npos);
  CHECK(lines[1].find("leave the task's session outlive it") != std::string::npos);
  CHECK(lines[2] == "started");
}

TEST_CASE("sandbox handle: freeze, thaw and kill without a cgroup use signals") {
  Spec spec = shell("(while :; do echo t >> /task/ticks; sleep 0.02; done) & wait");
  spec.cgroup_parent = "no/such/parent";  // cgroup creation fails; SIGSTOP/SIGCONT remain
  check_freeze_thaw_kill(spec, FreezeBy::signals);
}

TEST_CASE("sandbox handle: started without root the task freezes and thaws by signals") {
  if (::geteuid() != 0) {
    IA_SKIP("needs root to start the sandbox as uid 65534");
  }
  // No cgroup for uid 65534, and the task's init is not dumpable: its processes must be
  // found without reading init's /proc/<pid>/ns links, which are closed to this uid.
  TaskDir dir;
  Spec spec = shell("(while :; do echo t >> /task/ticks; sleep 0.02; done) & wait");
  std::string text = run_in_child({}, true, [&] {
    FreezeRun run = freeze_thaw_kill(spec, dir.path);
    int signal = run.outcome ? run.outcome->signal : -1;
    return run.failed + "|" + (run.held ? "held" : "ran on") + "|" +
           (run.resumed ? "resumed" : "stayed") + "|" + std::to_string(signal);
  });
  CHECK(text == "|held|resumed|9");
}

TEST_CASE("sandbox handle: dropping an unwaited handle kills the task and its daemons") {
  std::string marker = "30." + std::to_string(::getpid()) + "9";
  {
    Result<Handle> handle = start(shell("setsid sleep " + marker + " & sleep " + marker));
    REQUIRE(handle);
    for (int i = 0; i < 100 && !process_with_arg(marker); ++i) std::this_thread::sleep_for(10ms);
    REQUIRE(process_with_arg(marker));
  }
  CHECK_FALSE(process_with_arg(marker));
}

TEST_CASE("sandbox handle: wall timeout kills the whole tree and says so") {
  Spec spec = shell("sleep 30 & sleep 30");
  spec.limits.timeout = Millis(300);
  auto outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->timed_out);
  CHECK(outcome->limit_hit == "timeout");
  CHECK(outcome->exit_code == 124);
  CHECK(outcome->wall_ms < 5000);
}

TEST_CASE("sandbox handle: a missing command is 127 with a message, not a sandbox failure") {
  Spec spec;
  spec.argv = {"no-such-program-ia"};
  spec.env = {"PATH=/usr/bin"};
  auto outcome = run(spec);
  REQUIRE(outcome);
  CHECK(outcome->exit_code == 127);
  CHECK(outcome->stderr_text.find("cannot run 'no-such-program-ia'") != std::string::npos);
}

TEST_CASE("sandbox handle: an empty command is refused") {
  auto refused = start(Spec{});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("sandbox handle: --require of something missing refuses before the task runs") {
  // The child is already building its root when the cgroup fails: it must never reach
  // the task, and must not outlive the refusal.
  TaskDir dir;
  const std::string marker = "ia-require-marker-" + std::to_string(::getpid());
  Spec spec = shell("touch /task/ran; exec sleep 30 " + marker);
  spec.workdir = dir.path.string();
  spec.cgroup_parent = "no/such/parent";
  spec.require = {"mem"};
  auto refused = start(spec);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("mem") != std::string::npos);
  CHECK(refused.error().message.find("cgroup") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path / "ran"));
  CHECK_FALSE(process_with_arg(marker));
}

// /proc/self/limits as the task sees it: the line of one limit ("Max address space").
std::string task_limit_line(Spec spec, const std::string& name) {
  spec.argv = {"/bin/sh", "-c", "grep '^" + name + "' /proc/self/limits"};
  spec.capture = true;
  auto outcome = run(spec);
  REQUIRE(outcome);
  REQUIRE(outcome->exit_code == 0);
  return outcome->stdout_text;
}

TEST_CASE("sandbox handle: without a cgroup, rlimits stand in for memory and processes") {
  Spec spec = shell("true");
  spec.limits.memory = 512ull << 20;
  spec.limits.pids = 64;
  spec.cgroup_parent = "no/such/parent";
  CHECK(task_limit_line(spec, "Max address space").find("536870912") != std::string::npos);
  CHECK(task_limit_line(spec, "Max processes").find(" 65 ") != std::string::npos);  // and init
  if (::geteuid() == 0) {
    // With root the cgroup holds both, and the task keeps the address space it needs.
    spec.cgroup_parent = Spec{}.cgroup_parent;
    CHECK(task_limit_line(spec, "Max address space").find("unlimited") != std::string::npos);
  }
}

TEST_CASE("sandbox handle: the process limit counts the task's processes and not its init") {
  if (::geteuid() != 0 || probe_system_layout().version == CgroupLayout::Version::none) {
    IA_SKIP("needs root and a pids cgroup");  // RLIMIT_NPROC counts the whole uid
  }
  Spec spec = shell("true & wait && echo forked");
  spec.capture = true;
  spec.limits.pids = 1;  // the shell alone: it starts, and cannot fork
  Result<Outcome> alone = run(spec);
  REQUIRE(alone);
  CHECK(alone->exit_code != 0);
  CHECK(alone->stdout_text.empty());
  CHECK(alone->stderr_text.find("fork") != std::string::npos);
  spec.limits.pids = 2;  // and one child
  Result<Outcome> one_child = run(spec);
  REQUIRE(one_child);
  CHECK(one_child->exit_code == 0);
  CHECK(one_child->stdout_text == "forked\n");
}

TEST_CASE("sandbox handle: the task and its init start inside the task's cgroups") {
  CgroupLayout layout = probe_system_layout();
  if (layout.version == CgroupLayout::Version::none || ::geteuid() != 0) {
    IA_SKIP("needs root and cgroups");
  }
  // On v1 the child joins through the `tasks` files the parent hands it; on v2 the
  // parent moves it. Either way the task starts inside, limits already in force.
  Spec spec = shell("cat /proc/self/cgroup; echo '|'; cat /proc/1/cgroup");
  spec.limits.memory = 128ull << 20;
  spec.limits.pids = 32;
  spec.cgroup_parent = "ia-unit-join-" + std::to_string(::getpid());
  Result<Outcome> outcome = run(spec);
  REQUIRE(outcome);
  REQUIRE(outcome->exit_code == 0);
  std::size_t bar = outcome->stdout_text.find('|');
  REQUIRE(bar != std::string::npos);
  std::string task = outcome->stdout_text.substr(0, bar);
  std::string init = outcome->stdout_text.substr(bar + 1);
  // Lines of /proc/PID/cgroup: "4:memory:/ia/task-...", or "0::/..." on v2.
  std::string inside = "/" + spec.cgroup_parent + "/task-";
  std::vector<std::string> controllers = {"memory", "pids", "freezer"};
  if (layout.version == CgroupLayout::Version::v2) controllers = {""};
  for (const std::string& text : {task, init}) {
    INFO(text);
    for (const std::string& controller : controllers) {
      bool found = false;
      for (const std::string& line : split(text, '\n')) {
        std::size_t colon = line.find(':');
        if (colon != std::string::npos &&
            line.compare(colon + 1, controller.size() + 1, controller + ":") == 0) {
          found = line.find(inside) != std::string::npos;
        }
      }
      CHECK(found);
    }
  }
  CHECK(std::find(outcome->isolation.begin(), outcome->isolation.end(), "mem") !=
        outcome->isolation.end());
  for (const std::string& dir : task_parent_dirs(layout, spec.cgroup_parent)) {
    if (!fs::exists(dir)) continue;  // a controller these limits did not need
    for (const auto& entry : fs::directory_iterator(dir)) {
      CHECK_FALSE(entry.is_directory());  // the task's cgroup is gone
    }
    ::rmdir(dir.c_str());
  }
}

TEST_CASE("sandbox handle: --gpu makes only the asked-for device nodes visible and usable") {
  if (::geteuid() != 0) {
    IA_SKIP("needs root to make device nodes");
  }
  // Stand-ins for the NVIDIA nodes: character devices with /dev/null's numbers, so a write
  // inside shows the node was bound as a working device, not just a name.
  TaskDir dev;
  for (const char* node : {"nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm"}) {
    fs::path path = dev.path / node;
    REQUIRE(::mknod(path.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    REQUIRE(::chmod(path.c_str(), 0666) == 0);  // mknod's mode went through the umask
  }
  Spec spec =
      shell("ls /dev; echo x > /dev/nvidia1 && echo WROTE; echo gpus=$CUDA_VISIBLE_DEVICES");
  spec.dev_dir = dev.path.string();
  spec.gpus = {1};
  auto outcome = run(spec);
  if (!outcome) FAIL(outcome.error().message);
  CHECK(outcome->exit_code == 0);
  std::vector<std::string> lines = split(outcome->stdout_text, '\n');
  auto has = [&lines](const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  };
  CHECK(has("nvidia1"));
  CHECK(has("nvidiactl"));
  CHECK(has("nvidia-uvm"));
  CHECK_FALSE(has("nvidia0"));
  CHECK(has("WROTE"));
  CHECK(has("gpus=0"));
}

TEST_CASE("sandbox handle: task files are in the private /task which bounds what the task writes") {
  Spec spec = shell(
      "./run.sh; ls -l note run.sh | cut -c1-10; cat note; rm note && echo REMOVED; "
      "head -c 3000000 /dev/zero > big || echo FULL");
  spec.files = {{"run.sh", "#!/bin/sh\necho ran from $PWD\n", true}, {"note", "seeded\n", false}};
  spec.limits.tmp_size = 2 << 20;
  auto outcome = run(spec);
  if (!outcome) FAIL(outcome.error().message);
  CHECK(outcome->exit_code == 0);
  std::vector<std::string> lines = split(outcome->stdout_text, '\n');
  REQUIRE(lines.size() >= 6);
  CHECK(lines[0] == "ran from /task");
  CHECK(lines[1] == "-rw-r--r--");  // note
  CHECK(lines[2] == "-rwxr-xr-x");  // run.sh
  CHECK(lines[3] == "seeded");
  CHECK(lines[4] == "REMOVED");  // the directory is the task's own
  CHECK(lines[5] == "FULL");     // 2 MiB of tmpfs, not the host's disk
  CHECK(outcome->stderr_text.find("No space left on device") != std::string::npos);
}

TEST_CASE("sandbox handle: task files with a bad name or beside a workdir are refused") {
  Spec spec = shell("true");
  spec.files = {{"../escape", "x", false}};
  auto refused = start(spec);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::invalid_argument);
  CHECK(refused.error().message.find("'../escape'") != std::string::npos);
  spec.files = {{"a", "", false}, {"a", "", false}};
  REQUIRE_FALSE(start(spec));
  TaskDir dir;
  spec.files = {{"a", "", false}};
  spec.workdir = dir.path.string();
  refused = start(spec);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("workdir") != std::string::npos);
  CHECK(fs::is_empty(dir.path));
}

TEST_CASE("sandbox handle: a task file larger than the private /task fails the start by name") {
  Spec spec = shell("true");
  spec.limits.tmp_size = 1 << 20;
  spec.files = {{"data.bin", std::string(3 << 20, 'x'), false}};
  auto refused = start(spec);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("data.bin") != std::string::npos);
  CHECK(refused.error().message.find("No space left on device") != std::string::npos);
}
