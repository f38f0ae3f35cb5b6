// The Linux Handle: the wait loop (output pump, wall and CPU time limits), freeze, thaw,
// kill, and the clean-up that leaves no process, cgroup or temporary directory behind.
#include "sandbox/handle_linux.hpp"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <unordered_map>

#include "core/strings.hpp"
#include "core/time.hpp"
#include "sandbox/output.hpp"
#include "sandbox/workdir_posix.hpp"

namespace ia::sandbox {

namespace {

constexpr int k_cpu_poll_ms = 100;

// What /proc/<pid>/stat, readable by anyone, says of a process.
struct ProcessStat {
  pid_t pid = 0, ppid = 0;
  std::int64_t cpu_ticks = 0;  // utime + stime + cutime + cstime
};

std::vector<ProcessStat> all_processes() {
  std::vector<ProcessStat> processes;
  DIR* proc = ::opendir("/proc");
  if (!proc) return processes;
  while (const dirent* entry = ::readdir(proc)) {
    long long pid = 0;
    if (!parse_int64(entry->d_name, pid) || pid <= 0) continue;
    std::vector<std::string> fields =
        proc_stat_fields(read_text(std::string("/proc/") + entry->d_name + "/stat"));
    long long ppid = 0;
    if (fields.size() <= proc_stat_index(17) || !parse_int64(fields[proc_stat_index(4)], ppid)) {
      continue;
    }
    ProcessStat process{static_cast<pid_t>(pid), static_cast<pid_t>(ppid), 0};
    for (size_t i = proc_stat_index(14); i <= proc_stat_index(17); ++i) {  // utime to cstime
      long long ticks = 0;
      if (parse_int64(fields[i], ticks)) process.cpu_ticks += ticks;
    }
    processes.push_back(process);
  }
  ::closedir(proc);
  return processes;
}

// Init and every process below it: all of its PID namespace, whose orphans go to init (or
// to a subreaper below it). Told by parentage, since init is not dumpable and so its
// /proc/<pid>/ns links are closed to a caller without root.
std::vector<ProcessStat> namespace_members(pid_t init) {
  std::vector<ProcessStat> processes = all_processes();
  std::unordered_map<pid_t, pid_t> parent_of;
  for (const ProcessStat& process : processes) parent_of[process.pid] = process.ppid;
  std::vector<ProcessStat> members;
  for (const ProcessStat& process : processes) {
    pid_t up = process.pid;
    // Bounded: a pid reused while this runs could make a loop of stale entries.
    for (size_t depth = 0; up > 0 && up != init && depth < processes.size(); ++depth) {
      auto found = parent_of.find(up);
      up = found == parent_of.end() ? 0 : found->second;
    }
    if (up == init) members.push_back(process);
  }
  return members;
}

// CPU time, in ms, of init's namespace: each process's own and that of the children it
// reaped (init's count the task's finished processes). Once killed, the rest are reaped
// by the dying init, which then ignores SIGCHLD and so counts nothing.
std::int64_t namespace_cpu_ms(pid_t init) {
  std::int64_t ticks = 0;
  for (const ProcessStat& member : namespace_members(init)) ticks += member.cpu_ticks;
  return ticks * 1000 / ::sysconf(_SC_CLK_TCK);
}

bool drain(int& fd, Stream stream, OutputSink& sink) {
  char buffer[65536];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n > 0) {
    sink.add(stream, std::string_view(buffer, static_cast<size_t>(n)));
    return true;
  }
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  ::close(fd);
  fd = -1;
  return false;
}

}  // namespace

Handle::Impl::~Impl() {
  if (pid > 0 && !reaped) {
    if (cgroup) (void)cgroup->kill_all();
    if (pidfd >= 0) ::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
    ::waitpid(pid, nullptr, 0);
    reaped = true;
  }
  close_fds();
  clean_up();
}

void Handle::Impl::close_fds() {
  for (int* fd : {&pidfd, &status_fd, &out_fd, &err_fd, &wake_fd}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

void Handle::Impl::clean_up() {
  if (cgroup) {
    (void)cgroup->kill_all();
    (void)cgroup->remove();
    cgroup.reset();
  }
  if (own_workdir) {
    (void)remove_tree(workdir);
    own_workdir = false;
  }
}

Status Handle::Impl::signal_all(int sig) {
  if (reaped) return make_error(ErrorCode::conflict, "the task has already ended");
  if (!pid_ns) {
    // Without a PID namespace the task's session (init called setsid) is what we can reach.
    if (::kill(-pid, sig) != 0) return system_error("kill", std::to_string(pid));
    return {};
  }
  // Repeated because a process may fork between listing and signalling.
  for (int round = 0; round < 3; ++round) {
    for (const ProcessStat& member : namespace_members(pid)) ::kill(member.pid, sig);
  }
  return {};
}

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
  if (m_impl->cgroup_freezer && m_impl->cgroup) return m_impl->cgroup->freeze();
  return m_impl->signal_all(SIGSTOP);
}

Status Handle::thaw() {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  if (m_impl->cgroup_freezer && m_impl->cgroup) return m_impl->cgroup->thaw();
  return m_impl->signal_all(SIGCONT);
}

Status Handle::kill() {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  Impl& impl = *m_impl;
  if (impl.reaped) return {};
  impl.killed = true;
  if (impl.pid_ns && !(impl.cgroup && impl.cgroup->usage().cpu_ms >= 0)) {
    impl.cpu_ms_at_kill = std::max(impl.cpu_ms_at_kill, namespace_cpu_ms(impl.pid));
  }
  if (impl.cgroup) (void)impl.cgroup->kill_all();
  // Killing init ends the whole PID namespace; a frozen cgroup must thaw to let it die.
  ::syscall(SYS_pidfd_send_signal, impl.pidfd, SIGKILL, nullptr, 0);
  if (!impl.pid_ns) ::kill(-impl.pid, SIGKILL);
  if (impl.cgroup_freezer && impl.cgroup) (void)impl.cgroup->thaw();
  return {};
}

Status Handle::Impl::send_term(std::int64_t now_ms) {
  if (reaped || term_sent) return {};
  term_sent = true;
  kill_at_ms = now_ms + spec.kill_grace.count();
  // A frozen task must run to act on SIGTERM (a stopped one keeps it pending).
  if (cgroup_freezer && cgroup) (void)cgroup->thaw();
  IA_TRY(signal_all(SIGTERM));
  if (!(cgroup_freezer && cgroup)) (void)signal_all(SIGCONT);
  if (wake_fd >= 0) {
    std::uint64_t one = 1;
    (void)!::write(wake_fd, &one, sizeof one);
  }
  return {};
}

Status Handle::terminate() {
  if (m_impl->spec.kill_grace.count() <= 0) return kill();
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return m_impl->send_term(steady_now_ms());
}

namespace {

struct LoopState {
  bool exited = false;
  std::int64_t exited_ms = 0;
  bool timed_out = false;
  std::string limit_hit;
};

// SIGKILL once the grace after a SIGTERM has run out.
void enforce_grace(Handle& handle, Handle::Impl& impl) {
  bool due = false;
  {
    std::lock_guard<std::mutex> lock(impl.mutex);
    due = impl.kill_at_ms > 0 && !impl.killed && steady_now_ms() >= impl.kill_at_ms;
  }
  if (due) (void)handle.kill();
}

void enforce_limits(Handle& handle, Handle::Impl& impl, LoopState& state) {
  const Limits& limits = impl.spec.limits;
  std::int64_t now = steady_now_ms();
  if (limits.timeout.count() > 0 && now - impl.started_ms >= limits.timeout.count()) {
    state.limit_hit = "timeout";
  } else if (limits.cpu_time.count() > 0 && impl.cgroup &&
             impl.cgroup->usage().cpu_ms >= limits.cpu_time.count()) {
    state.limit_hit = "cpu_time";
  } else {
    return;
  }
  state.timed_out = true;
  (void)handle.terminate();
}

int poll_timeout(const Handle::Impl& impl, const LoopState& state) {
  if (state.exited) {
    return static_cast<int>(
        std::max<std::int64_t>(state.exited_ms + k_output_after_exit_ms - steady_now_ms(), 0));
  }
  if (state.timed_out) return 50;
  int wait = -1;
  if (impl.kill_at_ms > 0) {
    wait = static_cast<int>(std::max<std::int64_t>(impl.kill_at_ms - steady_now_ms(), 0));
  }
  const Limits& limits = impl.spec.limits;
  if (limits.timeout.count() > 0) {
    std::int64_t left = impl.started_ms + limits.timeout.count() - steady_now_ms();
    left = std::max<std::int64_t>(left, 0);
    wait = wait < 0 ? static_cast<int>(left) : std::min(wait, static_cast<int>(left));
  }
  if (limits.cpu_time.count() > 0 && impl.cgroup) {
    wait = wait < 0 ? k_cpu_poll_ms : std::min(wait, k_cpu_poll_ms);
  }
  return wait;
}

void fill_status(Handle::Impl& impl, int init_status, const rusage& usage, const LoopState& state,
                 Outcome& outcome) {
  int status = init_status;
  int task_status = 0;
  if (::read(impl.status_fd, &task_status, sizeof task_status) == sizeof task_status) {
    status = task_status;
  }
  if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
    outcome.exit_code = 128 + outcome.signal;
  } else {
    outcome.exit_code = WEXITSTATUS(status);
  }
  outcome.timed_out = state.timed_out;
  outcome.limit_hit = state.limit_hit;
  if (outcome.signal == SIGXCPU && !outcome.timed_out) {
    outcome.timed_out = true;
    outcome.limit_hit = "cpu_time";
  }
  if (outcome.timed_out) outcome.exit_code = 124;
  outcome.cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 +
                   (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
  outcome.cpu_ms = std::max<std::int64_t>(outcome.cpu_ms, impl.cpu_ms_at_kill);
  outcome.max_rss_kb = usage.ru_maxrss;
  if (impl.cgroup) {
    CgroupUsage cg = impl.cgroup->usage();
    if (cg.cpu_ms >= 0) outcome.cpu_ms = cg.cpu_ms;
    outcome.oom_killed = cg.oom_killed;
  }
}

}  // namespace

Result<Outcome> Handle::wait() {
  Impl& impl = *m_impl;
  if (impl.waited) return make_error(ErrorCode::conflict, "wait() was already called");
  impl.waited = true;
  OutputSink sink(impl.spec);
  LoopState state;
  while (impl.out_fd >= 0 || impl.err_fd >= 0 || !state.exited) {
    int timeout = 0;
    {
      std::lock_guard<std::mutex> lock(impl.mutex);  // kill_at_ms, set by terminate()
      timeout = poll_timeout(impl, state);
    }
    pollfd fds[4] = {{impl.out_fd, POLLIN, 0},
                     {impl.err_fd, POLLIN, 0},
                     {state.exited ? -1 : impl.pidfd, POLLIN, 0},
                     {impl.wake_fd, POLLIN, 0}};
    int ready = ::poll(fds, 4, timeout);
    if (ready < 0 && errno != EINTR) return system_error("poll");
    if (fds[3].revents) {
      std::uint64_t count = 0;
      (void)!::read(impl.wake_fd, &count, sizeof count);
    }
    if (fds[0].revents) drain(impl.out_fd, Stream::stdout_stream, sink);
    if (fds[1].revents) drain(impl.err_fd, Stream::stderr_stream, sink);
    if (fds[2].revents && !state.exited) {
      state.exited = true;
      state.exited_ms = steady_now_ms();
      // Once init is gone the kernel has killed the namespace and output ends right after.
      // Without a PID namespace the rest of the task's session is killed here; a process
      // that left it (setsid) may still hold the pipes, and is read from only so long.
      if (!impl.pid_ns) ::kill(-impl.pid, SIGKILL);
    }
    if (!state.exited && !state.timed_out) enforce_limits(*this, impl, state);
    if (!state.exited) enforce_grace(*this, impl);
    if (state.exited && steady_now_ms() - state.exited_ms >= k_output_after_exit_ms) {
      for (int* fd : {&impl.out_fd, &impl.err_fd}) {
        if (*fd >= 0) ::close(*fd);
        *fd = -1;
      }
    }
  }
  int status = 0;
  rusage usage{};
  {
    std::lock_guard<std::mutex> lock(impl.mutex);
    while (::wait4(impl.pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    impl.reaped = true;
  }
  Outcome outcome;
  fill_status(impl, status, usage, state, outcome);
  if (impl.killed && !state.timed_out && outcome.signal == 0) {
    outcome.signal = SIGKILL;
    outcome.exit_code = 128 + SIGKILL;
  }
  outcome.term_sent = impl.term_sent;
  if (impl.killed) {
    outcome.ended_by = "SIGKILL";
  } else if (impl.term_sent) {
    outcome.ended_by = "SIGTERM";
  }
  outcome.wall_ms = steady_now_ms() - impl.started_ms;
  sink.finish(outcome);
  outcome.isolation = impl.isolation;
  outcome.missing = impl.missing;
  outcome.limits = impl.spec.limits;
  impl.close_fds();
  impl.clean_up();
  return outcome;
}

}  // namespace ia::sandbox
