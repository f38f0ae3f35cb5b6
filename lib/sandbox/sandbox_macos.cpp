// The macOS backend: weaker than Linux and says so. The task runs in its own session
// with rlimits (CPU time, file size, open files, processes, data size) and a wall-time
// limit; freeze, thaw and kill signal its process group. No namespaces, cgroups or seccomp.
// Only POSIX calls: tests/posix builds and runs this file on Linux.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "core/file.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "sandbox/output.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/workdir_posix.hpp"

namespace ia::sandbox {

namespace {

// How often wait() looks for the task's exit while its pipes stay open; a process still
// holding them after that exit left the session (setsid), out of reach of the group's
// signals, and is given k_output_after_exit_ms.
constexpr int k_exit_poll_ms = 250;

}  // namespace

struct Handle::Impl {
  Spec spec;
  pid_t pid = -1;
  int out_fd = -1, err_fd = -1;
  std::string workdir;
  bool own_workdir = false;
  std::vector<std::string> isolation = {"rlimits"};
  std::vector<std::string> missing = {
      "namespaces, fs, net, cgroups and seccomp (not available on macOS)",
      "processes that leave the task's session outlive it (no PID namespace)"};
  std::int64_t started_ms = 0;
  std::mutex mutex;
  bool reaped = false, killed = false, waited = false;

  ~Impl() {
    if (pid > 0 && !reaped) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    close_pipes();
    if (own_workdir) (void)remove_tree(workdir);
  }

  void close_pipes() {
    for (int* fd : {&out_fd, &err_fd}) {
      if (*fd >= 0) ::close(*fd);
      *fd = -1;
    }
  }
};

namespace {

// Every descriptor but stdio, so that none of the caller's files or sockets (ia-node's
// connections) reach the task; POSIX has no close_range.
void close_inherited_fds() {
  long last = std::min<long>(::sysconf(_SC_OPEN_MAX), 1 << 16);
  for (int fd = 3; fd < last; ++fd) ::close(fd);
}

void set_limit(int resource, rlim_t soft, rlim_t hard) {
  rlimit limit{soft, hard};
  ::setrlimit(resource, &limit);
}

void write_message(const char* a, const char* b, const char* c) {
  for (const char* part : {a, b, c}) (void)!::write(2, part, std::strlen(part));
}

// Between fork and exec: only async-signal-safe calls. candidates are the paths the
// command may be at (PATH searched in the parent); exit codes follow the shell and the
// Linux backend: 127 not found, 126 found but not runnable.
[[noreturn]] void exec_child(const Spec& spec, const std::string& workdir, char* const* candidates,
                             char* const* argv, char* const* envp, int in_fd, int out_fd,
                             int err_fd) {
  ::setsid();
  if (in_fd >= 0) ::dup2(in_fd, 0);
  ::dup2(out_fd, 1);
  ::dup2(err_fd, 2);
  close_inherited_fds();
  const Limits& limits = spec.limits;
  set_limit(RLIMIT_CORE, 0, 0);
  if (limits.cpu_time.count() > 0) {
    // SIGXCPU at the limit (reported as cpu_time), SIGKILL a second later.
    rlim_t seconds = static_cast<rlim_t>((limits.cpu_time.count() + 999) / 1000);
    set_limit(RLIMIT_CPU, seconds, seconds + 1);
  }
  if (limits.file_size > 0) set_limit(RLIMIT_FSIZE, limits.file_size, limits.file_size);
  if (limits.open_files > 0) set_limit(RLIMIT_NOFILE, limits.open_files, limits.open_files);
  if (limits.pids > 0) set_limit(RLIMIT_NPROC, limits.pids, limits.pids);
  if (limits.memory > 0) set_limit(RLIMIT_DATA, limits.memory, limits.memory);
  if (::chdir(workdir.c_str()) != 0) {
    write_message("ia-sandbox: cannot enter the working directory ", workdir.c_str(), "\n");
    ::_exit(125);
  }
  int err = ENOENT;
  for (char* const* path = candidates; *path; ++path) {
    ::execve(*path, argv, envp);
    if (errno != ENOENT && errno != ENOTDIR) err = errno;
  }
  write_message("ia-sandbox: cannot run '", argv[0], "': ");
  write_message(std::strerror(err), "\n", "");
  ::_exit(err == ENOENT ? 127 : 126);
}

// The paths execve tries: the command itself when it names a path, else the command in
// each directory of the task's PATH.
std::vector<std::string> exec_candidates(const Spec& spec) {
  const std::string& command = spec.argv.front();
  if (command.find('/') != std::string::npos) return {command};
  std::vector<std::string> paths;
  for (const std::string& dir : search_path(spec.env)) paths.push_back(dir + "/" + command);
  return paths;
}

// The task's environment; HOME=/task (default_env) names the working directory, which
// here is the host directory itself.
std::vector<std::string> task_env(const Spec& spec, const std::string& workdir) {
  std::vector<std::string> env = spec.env;
  for (std::string& entry : env) {
    if (entry == std::string("HOME=") + k_task_dir) entry = "HOME=" + workdir;
  }
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& text : strings) out.push_back(text.data());
  out.push_back(nullptr);
  return out;
}

// An unlinked temporary file holding data, read from its start: stdin of any size
// without a thread writing into a pipe (macOS has no memfd).
Result<int> data_file(const std::string& data) {
  const char* dir = std::getenv("TMPDIR");
  std::string pattern = std::string(dir && *dir ? dir : "/tmp") + "/ia-stdin-XXXXXX";
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) return system_error("mkstemp", pattern);
  ::unlink(pattern.c_str());
  if (Status written = write_all(fd, data, pattern); !written) {
    ::close(fd);
    return std::move(written).error();
  }
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

// The task's stdin: -1 to inherit the caller's.
Result<int> open_stdin(const StdinSource& source) {
  switch (source.kind) {
    case StdinSource::Kind::inherit:
      return -1;
    case StdinSource::Kind::null: {
      int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) return system_error("open", "/dev/null");
      return fd;
    }
    case StdinSource::Kind::file: {
      int fd = ::open(source.value.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return system_error("open stdin file", source.value);
      return fd;
    }
    case StdinSource::Kind::data:
      return data_file(source.value);
  }
  return -1;
}

}  // namespace

Handle::Handle(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Handle::Handle(Handle&&) noexcept = default;
Handle& Handle::operator=(Handle&&) noexcept = default;
Handle::~Handle() = default;

const std::vector<std::string>& Handle::isolation() const {
  return m_impl->isolation;
}
int Handle::pid() const {
  return m_impl->pid;
}

Status Handle::freeze() {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  if (m_impl->reaped || ::kill(-m_impl->pid, SIGSTOP) != 0) return system_error("kill SIGSTOP");
  return {};
}

Status Handle::thaw() {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  if (m_impl->reaped || ::kill(-m_impl->pid, SIGCONT) != 0) return system_error("kill SIGCONT");
  return {};
}

Status Handle::kill() {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  if (m_impl->reaped) return {};
  m_impl->killed = true;
  ::kill(-m_impl->pid, SIGKILL);
  return {};
}

// This backend's wait loop keeps no grace deadline: it ends the task at once.
Status Handle::terminate() { return kill(); }

Result<Handle> start(const Spec& spec) {
  if (spec.argv.empty()) {
    return make_error(ErrorCode::invalid_argument, "no command to run",
                      "put the command after --, as in: ia-sandbox -- python3 job.py");
  }
  auto impl = std::make_unique<Handle::Impl>();
  impl->spec = spec;
  impl->started_ms = steady_now_ms();
  std::vector<std::string> lacking = unmet(spec.require, impl->isolation);
  if (!lacking.empty()) {
    return make_error(ErrorCode::unsupported,
                      "required isolation not available on macOS: " + join(lacking, ","),
                      "drop it from --require");
  }
  IA_TRY(check_task_files(spec));
  if (spec.workdir.empty()) {
    Result<std::string> made = make_temp_workdir(-1, -1);
    if (!made) return std::move(made).error();
    impl->workdir = *made;
    impl->own_workdir = true;
    IA_TRY(write_task_files(impl->workdir, spec.files));
  } else {
    impl->workdir = spec.workdir;
  }
  Result<int> in_fd = open_stdin(spec.stdin_source);
  if (!in_fd) return std::move(in_fd).error();
  int out[2], err[2];
  if (::pipe(out) != 0) {
    if (*in_fd >= 0) ::close(*in_fd);
    return system_error("pipe");
  }
  if (::pipe(err) != 0) {
    if (*in_fd >= 0) ::close(*in_fd);
    for (int fd : out) ::close(fd);
    return system_error("pipe");
  }
  for (int fd : {out[0], err[0]}) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  std::vector<std::string> paths = exec_candidates(spec), args = spec.argv;
  std::vector<std::string> env = task_env(spec, impl->workdir);
  std::vector<char*> candidates = pointers(paths), argv = pointers(args), envp = pointers(env);
  pid_t pid = ::fork();
  if (pid == 0) {
    exec_child(spec, impl->workdir, candidates.data(), argv.data(), envp.data(), *in_fd, out[1],
               err[1]);
  }
  int fork_errno = errno;
  for (int fd : {out[1], err[1], *in_fd}) {
    if (fd >= 0) ::close(fd);
  }
  impl->out_fd = out[0];
  impl->err_fd = err[0];
  if (pid < 0) {
    errno = fork_errno;
    return system_error("fork");
  }
  impl->pid = pid;
  return Handle(std::move(impl));
}

namespace {

struct Exit {
  bool seen = false;
  std::int64_t at_ms = 0;
  int status = 0;
  rusage usage{};
};

// Reaps the task's first process if it has exited, then kills what it left in its
// session. Under the mutex, so that freeze() and friends never signal a reused pid.
void reap_if_exited(Handle::Impl& impl, Exit& exit, bool block) {
  std::lock_guard<std::mutex> lock(impl.mutex);
  pid_t reaped;
  do reaped = ::wait4(impl.pid, &exit.status, block ? 0 : WNOHANG, &exit.usage);
  while (reaped < 0 && errno == EINTR);
  if (reaped != impl.pid) return;
  ::kill(-impl.pid, SIGKILL);
  impl.reaped = true;
  exit.seen = true;
  exit.at_ms = steady_now_ms();
}

int poll_timeout(const Handle::Impl& impl, const Exit& exit, bool timed_out) {
  if (exit.seen)
    return static_cast<int>(
        std::max<std::int64_t>(exit.at_ms + k_output_after_exit_ms - steady_now_ms(), 0));
  int wait = timed_out ? 50 : k_exit_poll_ms;
  const Limits& limits = impl.spec.limits;
  if (!timed_out && limits.timeout.count() > 0) {
    std::int64_t left = impl.started_ms + limits.timeout.count() - steady_now_ms();
    wait = static_cast<int>(std::clamp<std::int64_t>(left, 0, wait));
  }
  return wait;
}

void read_ready(Handle::Impl& impl, OutputSink& sink, int timeout_ms) {
  pollfd fds[2] = {{impl.out_fd, POLLIN, 0}, {impl.err_fd, POLLIN, 0}};
  if (::poll(fds, 2, timeout_ms) <= 0) return;
  int* owned[2] = {&impl.out_fd, &impl.err_fd};
  for (int i = 0; i < 2; ++i) {
    if (!fds[i].revents) continue;
    char buffer[65536];
    ssize_t n = ::read(*owned[i], buffer, sizeof buffer);
    if (n > 0) {
      sink.add(i == 0 ? Stream::stdout_stream : Stream::stderr_stream,
               std::string_view(buffer, static_cast<size_t>(n)));
    } else if (n == 0 || errno != EINTR) {
      ::close(*owned[i]);
      *owned[i] = -1;
    }
  }
}

void fill_status(const Exit& exit, bool timed_out, bool killed, Outcome& outcome) {
  if (WIFSIGNALED(exit.status)) {
    outcome.signal = WTERMSIG(exit.status);
    outcome.exit_code = 128 + outcome.signal;
  } else {
    outcome.exit_code = WEXITSTATUS(exit.status);
  }
  if (timed_out) {
    outcome.timed_out = true;
    outcome.limit_hit = "timeout";
  } else if (outcome.signal == SIGXCPU) {
    outcome.timed_out = true;
    outcome.limit_hit = "cpu_time";
  } else if (killed && outcome.signal == 0) {
    outcome.signal = SIGKILL;
    outcome.exit_code = 128 + SIGKILL;
  }
  if (outcome.timed_out) outcome.exit_code = 124;
  const rusage& usage = exit.usage;
  outcome.cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 +
                   (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
#ifdef __APPLE__
  outcome.max_rss_kb = usage.ru_maxrss / 1024;  // bytes on macOS
#else
  outcome.max_rss_kb = usage.ru_maxrss;  // kilobytes elsewhere
#endif
}

}  // namespace

Result<Outcome> Handle::wait() {
  Impl& impl = *m_impl;
  if (impl.waited) return make_error(ErrorCode::conflict, "wait() was already called");
  impl.waited = true;
  OutputSink sink(impl.spec);
  const Limits& limits = impl.spec.limits;
  Exit exit;
  bool timed_out = false;
  while (impl.out_fd >= 0 || impl.err_fd >= 0) {
    read_ready(impl, sink, poll_timeout(impl, exit, timed_out));
    if (!exit.seen) reap_if_exited(impl, exit, false);
    if (exit.seen && steady_now_ms() - exit.at_ms >= k_output_after_exit_ms) impl.close_pipes();
    if (!exit.seen && !timed_out && limits.timeout.count() > 0 &&
        steady_now_ms() - impl.started_ms >= limits.timeout.count()) {
      timed_out = true;
      ::kill(-impl.pid, SIGKILL);
    }
  }
  if (!exit.seen) reap_if_exited(impl, exit, true);
  Outcome outcome;
  fill_status(exit, timed_out, impl.killed, outcome);
  outcome.wall_ms = steady_now_ms() - impl.started_ms;
  sink.finish(outcome);
  outcome.isolation = impl.isolation;
  outcome.missing = impl.missing;
  outcome.limits = limits;
  return outcome;
}

}  // namespace ia::sandbox
