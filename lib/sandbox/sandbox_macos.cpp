// The macOS backend: weaker than Linux and says so. The task runs in its own session
// with rlimits (CPU time, file size, open files, processes, data size) and a wall-time
// limit; freeze, thaw and kill signal its process group. No namespaces, cgroups or seccomp.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "core/time.hpp"
#include "sandbox/output.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/workdir_posix.hpp"

namespace ia::sandbox {

struct Handle::Impl {
  Spec spec;
  pid_t pid = -1;
  int out_fd = -1, err_fd = -1;
  std::string workdir;
  bool own_workdir = false;
  std::vector<std::string> isolation = {"rlimits"};
  std::vector<std::string> missing = {
      "namespaces, fs, net, cgroups and seccomp (not available on macOS)"};
  std::int64_t started_ms = 0;
  std::mutex mutex;
  bool reaped = false, killed = false, waited = false;

  ~Impl() {
    if (pid > 0 && !reaped) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    for (int fd : {out_fd, err_fd})
      if (fd >= 0) ::close(fd);
    if (own_workdir) (void)remove_tree(workdir);
  }
};

namespace {

void set_limit(int resource, rlim_t value) {
  rlimit limit{value, value};
  ::setrlimit(resource, &limit);
}

// Between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(const Spec& spec, const std::string& workdir, char* const* argv,
                             char* const* envp, int in_fd, int out_fd, int err_fd) {
  ::setsid();
  if (in_fd >= 0) ::dup2(in_fd, 0);
  ::dup2(out_fd, 1);
  ::dup2(err_fd, 2);
  const Limits& limits = spec.limits;
  set_limit(RLIMIT_CORE, 0);
  if (limits.cpu_time.count() > 0) set_limit(RLIMIT_CPU, (limits.cpu_time.count() + 999) / 1000);
  if (limits.file_size > 0) set_limit(RLIMIT_FSIZE, limits.file_size);
  if (limits.open_files > 0) set_limit(RLIMIT_NOFILE, limits.open_files);
  if (limits.pids > 0) set_limit(RLIMIT_NPROC, limits.pids);
  if (limits.memory > 0) set_limit(RLIMIT_DATA, limits.memory);
  if (::chdir(workdir.c_str()) != 0) ::_exit(125);
  ::execve(argv[0], argv, envp);
  ::_exit(errno == ENOENT ? 127 : 126);
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
                      "required isolation not available on macOS: " + lacking.front(),
                      "drop it from --require");
  }
  if (spec.workdir.empty()) {
    Result<std::string> made = make_temp_workdir(-1, -1);
    if (!made) return std::move(made).error();
    impl->workdir = *made;
    impl->own_workdir = true;
  } else {
    impl->workdir = spec.workdir;
  }
  int out[2], err[2];
  if (::pipe(out) != 0 || ::pipe(err) != 0) return system_error("pipe");
  int in_fd = -1;
  if (spec.stdin_source.kind == StdinSource::Kind::null) in_fd = ::open("/dev/null", O_RDONLY);
  if (spec.stdin_source.kind == StdinSource::Kind::file) {
    in_fd = ::open(spec.stdin_source.value.c_str(), O_RDONLY);
    if (in_fd < 0) return system_error("open stdin file", spec.stdin_source.value);
  }
  std::vector<std::string> args = spec.argv, env = spec.env;
  std::vector<char*> argv, envp;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  for (std::string& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return system_error("fork");
  if (pid == 0) exec_child(spec, impl->workdir, argv.data(), envp.data(), in_fd, out[1], err[1]);
  ::close(out[1]);
  ::close(err[1]);
  if (in_fd >= 0) ::close(in_fd);
  impl->pid = pid;
  impl->out_fd = out[0];
  impl->err_fd = err[0];
  return Handle(std::move(impl));
}

Result<Outcome> Handle::wait() {
  Impl& impl = *m_impl;
  if (impl.waited) return make_error(ErrorCode::conflict, "wait() was already called");
  impl.waited = true;
  OutputSink sink(impl.spec);
  Outcome outcome;
  const Limits& limits = impl.spec.limits;
  while (impl.out_fd >= 0 || impl.err_fd >= 0) {
    pollfd fds[2] = {{impl.out_fd, POLLIN, 0}, {impl.err_fd, POLLIN, 0}};
    int wait_ms = -1;
    if (limits.timeout.count() > 0) {
      wait_ms = static_cast<int>(
          std::max<std::int64_t>(impl.started_ms + limits.timeout.count() - steady_now_ms(), 0));
    }
    ::poll(fds, 2, outcome.timed_out ? 50 : wait_ms);
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
    if (!outcome.timed_out && limits.timeout.count() > 0 &&
        steady_now_ms() - impl.started_ms >= limits.timeout.count()) {
      outcome.timed_out = true;
      outcome.limit_hit = "timeout";
      ::kill(-impl.pid, SIGKILL);
    }
  }
  int status = 0;
  rusage usage{};
  {
    std::lock_guard<std::mutex> lock(impl.mutex);
    while (::wait4(impl.pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    ::kill(-impl.pid, SIGKILL);  // what the task left in its session
    impl.reaped = true;
  }
  if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
    outcome.exit_code = 128 + outcome.signal;
  } else {
    outcome.exit_code = WEXITSTATUS(status);
  }
  if (outcome.timed_out) outcome.exit_code = 124;
  outcome.cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 +
                   (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
  outcome.max_rss_kb = usage.ru_maxrss / 1024;  // bytes on macOS
  outcome.wall_ms = steady_now_ms() - impl.started_ms;
  sink.finish(outcome);
  outcome.isolation = impl.isolation;
  outcome.missing = impl.missing;
  outcome.limits = limits;
  return outcome;
}

}  // namespace ia::sandbox
