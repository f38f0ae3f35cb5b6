// start() on Linux: prepare the plan in the parent (mounts, pipes, --require), clone the
// child into new namespaces and let it run its whole set-up chain alone
// (contain_linux.cpp). Meanwhile the parent makes the task's cgroup and sends the child
// the verdict that lets it join the cgroup and go on to the task, then sweeps stale
// cgroups: on two cores the cgroup costs no time on the way to the task's exec.
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/strings.hpp"
#include "core/time.hpp"
#include "sandbox/channel_linux.hpp"
#include "sandbox/handle_linux.hpp"
#include "sandbox/net_linux.hpp"
#include "sandbox/plan_linux.hpp"
#include "sandbox/seccomp_linux.hpp"
#include "sandbox/workdir_posix.hpp"

namespace ia::sandbox {

namespace {

constexpr int k_namespaces = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;

// Closes the descriptors it holds when it goes out of scope, unless released.
struct Fds {
  std::vector<int> fds;
  ~Fds() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  int add(int fd) {
    fds.push_back(fd);
    return fd;
  }
  void close(int& fd) {
    std::erase(fds, fd);
    ::close(fd);
    fd = -1;
  }
};

Status make_pipe(int ends[2], Fds& keep) {
  if (::pipe2(ends, O_CLOEXEC) != 0) return system_error("pipe2");
  keep.add(ends[0]);
  keep.add(ends[1]);
  return {};
}

// A channel instead where descriptors must travel with the message.
Status make_channel(int ends[2], Fds& keep) {
  IA_TRY(open_channel(ends));
  keep.add(ends[0]);
  keep.add(ends[1]);
  return {};
}

Result<int> open_stdin(const StdinSource& source, Fds& keep) {
  switch (source.kind) {
    case StdinSource::Kind::inherit:
      return -1;
    case StdinSource::Kind::null: {
      int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) return system_error("open", "/dev/null");
      return keep.add(fd);
    }
    case StdinSource::Kind::file: {
      int fd = ::open(source.value.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return system_error("open stdin file", source.value);
      return keep.add(fd);
    }
    case StdinSource::Kind::data: {
      // A memfd holds any size without a pump thread writing into a pipe.
      int fd = keep.add(::memfd_create("ia-stdin", MFD_CLOEXEC));
      if (fd < 0) return system_error("memfd_create");
      if (::write(fd, source.value.data(), source.value.size()) !=
          static_cast<ssize_t>(source.value.size())) {
        return system_error("write stdin data");
      }
      ::lseek(fd, 0, SEEK_SET);
      return fd;
    }
  }
  return -1;
}

int read_cap_last() {
  std::string text(trim(read_text("/proc/sys/kernel/cap_last_cap")));
  long long value = 0;
  return parse_int64(text, value) ? static_cast<int>(value) : 40;
}

// Where this process's command line lies in its memory (arg_start, arg_end).
void find_caller_args(ChildPlan& plan) {
  std::vector<std::string> fields = proc_stat_fields(read_text("/proc/self/stat"));
  long long begin = 0, end = 0;
  if (fields.size() <= proc_stat_index(49) || !parse_int64(fields[proc_stat_index(48)], begin) ||
      !parse_int64(fields[proc_stat_index(49)], end) || begin <= 0 || end <= begin) {
    return;
  }
  plan.caller_args = reinterpret_cast<char*>(static_cast<uintptr_t>(begin));
  plan.caller_args_size = static_cast<size_t>(end - begin);
}

std::string unique_name() {
  static std::atomic<unsigned> counter{0};  // NOLINT: process-wide sequence, not state
  return task_cgroup_name(current_owner(), ++counter);
}

// The layout the task's cgroup uses: the probe narrowed by sandbox.cgroups and by what
// the task needs. sweep gets every directory where stale task cgroups may sit.
CgroupLayout task_layout(const Spec& spec, std::vector<std::string>& sweep) {
  CgroupLayout layout = probe_system_layout();
  choose_version(layout, spec.cgroups);
  sweep = task_parent_dirs(layout, spec.cgroup_parent);
  const std::vector<std::string>& require = spec.require;
  bool freezer =
      spec.freezable || std::find(require.begin(), require.end(), "freezer") != require.end();
  keep_needed_controllers(layout, spec.limits, freezer);
  return layout;
}

void drop_cgroup(Handle::Impl& impl, const Error& why, std::vector<std::string>& applied) {
  impl.missing.push_back("cgroup limits (" + why.message + ")");
  (void)impl.cgroup->remove();
  impl.cgroup.reset();
  applied.clear();
}

// A hierarchy without a controller (v2 on a hybrid host) enforces less than was asked.
void note_missing_controllers(Handle::Impl& impl, const std::vector<std::string>& applied) {
  const Limits& limits = impl.spec.limits;
  struct Wanted {
    const char* name;
    bool asked;
    const char* instead;
  };
  for (const Wanted& wanted : {Wanted{"mem", limits.memory > 0, "; RLIMIT_AS stands in"},
                               Wanted{"pids", limits.pids > 0, "; RLIMIT_NPROC stands in"},
                               Wanted{"cpu", limits.cpus > 0, ""}}) {
    if (wanted.asked && std::find(applied.begin(), applied.end(), wanted.name) == applied.end()) {
      impl.missing.push_back(std::string(wanted.name) + " (no such controller in the cgroup" +
                             wanted.instead + ")");
    }
  }
}

// Makes the task's cgroup and writes its limits; applied gets the mechanisms it
// enforces. Without one the task still runs, and impl.missing says why.
void make_cgroup(Handle::Impl& impl, const CgroupLayout& layout,
                 std::vector<std::string>& applied) {
  if (impl.spec.cgroups == CgroupMode::off) {
    impl.missing.push_back("cgroup (sandbox.cgroups is off)");
    return;
  }
  Result<std::unique_ptr<Cgroup>> made =
      create_cgroup(layout, impl.spec.cgroup_parent, unique_name());
  if (!made) {
    impl.missing.push_back("cgroup (" + made.error().message + ")");
    return;
  }
  impl.cgroup = std::move(*made);
  Status limited = impl.cgroup->apply(with_init(impl.spec.limits), applied);
  if (!limited) return drop_cgroup(impl, limited.error(), applied);
  note_missing_controllers(impl, applied);
}

// The v2 cgroup's directory, for clone3() to start the child inside; -1 for v1 or none.
int open_clone_into_dir(const Handle::Impl& impl, Fds& keep) {
  std::string dir = impl.cgroup ? impl.cgroup->clone_into_dir() : std::string();
  if (dir.empty()) return -1;
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd < 0 ? -1 : keep.add(fd);
}

// Gets the child into the cgroup, unless clone3() started it there: join holds the files
// it writes itself into (v1), or the parent moves it (v2 without clone3).
void enter_cgroup(Handle::Impl& impl, Fds& keep, std::vector<int>& join,
                  std::vector<std::string>& applied) {
  if (!impl.cgroup || impl.cloned_into_cgroup) return;
  Status entered;
  for (const std::string& file : impl.cgroup->self_join_files()) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      entered = system_error("open", file);
      break;
    }
    join.push_back(keep.add(fd));
  }
  if (entered && join.empty()) entered = impl.cgroup->attach(impl.pid);
  if (!entered) {
    for (int& fd : join) keep.close(fd);
    join.clear();
    drop_cgroup(impl, entered.error(), applied);
  }
}

// One line mapping the id to itself: the task keeps the caller's uid and gid, which is
// all an unprivileged process may map (user_namespaces(7)).
std::string identity_map(unsigned id) {
  return std::to_string(id) + " " + std::to_string(id) + " 1\n";
}

Error child_failure(const ChildError& report) {
  std::string detail(report.detail, strnlen(report.detail, sizeof report.detail));
  std::string step(report.step, strnlen(report.step, sizeof report.step));
  return make_error(ErrorCode::unsupported,
                    "sandbox set-up failed at '" + step + "'" +
                        (detail.empty() ? "" : " (" + detail + ")") + ": " +
                        std::strerror(report.err),
                    "the step names what the kernel refused; without root, user namespaces "
                    "must be enabled (sysctl user.max_user_namespaces)");
}

// Mechanisms the child's chain applies; a failing step aborts the start instead.
void add_chain_mechanisms(const ChildPlan& plan, bool root, std::vector<std::string>& out) {
  if (plan.isolate) {
    if (!root) out.push_back("user");
    for (const char* name : {"pid", "mount", "ipc", "uts", "fs", "proc", "tmp", "dev"}) {
      out.push_back(name);
    }
    if (plan.net_isolated) out.push_back("net");
  }
  out.push_back("rlimits");
  if (plan.drop_caps) out.push_back("caps");
  if (root) out.push_back("uid_drop");
  out.push_back("no_new_privs");
  out.push_back("seccomp");
}

struct Prepared {
  ChildPlan plan;
  Fds fds;
  int error[2], status[2], out[2], err[2], go[2];
  std::vector<std::string> sweep_dirs;
};

Status prepare(Handle::Impl& impl, bool root, Prepared& p) {
  const Spec& spec = impl.spec;
  Result<std::vector<std::string>> devices = gpu_device_paths(spec.dev_dir, spec.gpus);
  if (!devices) return std::move(devices).error();
  // Without --workdir, the task gets a tmpfs at /task (root_mounts), not a host directory.
  if (!spec.workdir.empty()) {
    char resolved[PATH_MAX];
    if (!::realpath(spec.workdir.c_str(), resolved)) return system_error("workdir", spec.workdir);
    struct stat info {};
    if (::stat(resolved, &info) != 0 || !S_ISDIR(info.st_mode)) {
      return make_error(ErrorCode::invalid_argument,
                        "workdir " + spec.workdir + " is not a directory",
                        "give --workdir a directory for the task's files, or leave it out");
    }
    impl.workdir = resolved;
  }
  ChildPlan& plan = p.plan;
  plan.seccomp = seccomp_filter();
  plan.net_isolated = !spec.net;
  plan.net_handoff = root && !spec.net;
  plan.staging = staging_dir({impl.workdir, spec.dev_dir});
  if (plan.staging.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "no place to build the sandbox root that does not hide " + impl.workdir +
                          " or " + spec.dev_dir,
                      "choose a --workdir outside /tmp, /mnt, /media, /srv, /opt and /run");
  }
  plan.mounts = root_mounts(spec, plan.staging, impl.workdir, *devices,
                            root ? spec.uid : ::getuid(), root ? spec.gid : ::getgid());
  plan.drop_uid = root;
  plan.uid = spec.uid;
  plan.gid = spec.gid;
  plan.cap_last = read_cap_last();
  find_caller_args(plan);
  plan.cwd = k_task_dir;
  fill_command(spec, plan);
  plan.map_ids = !root;
  plan.uid_map = identity_map(::getuid());
  plan.gid_map = identity_map(::getgid());
  IA_TRY(make_pipe(p.error, p.fds));
  IA_TRY(make_pipe(p.status, p.fds));
  IA_TRY(make_pipe(p.out, p.fds));
  IA_TRY(make_pipe(p.err, p.fds));
  IA_TRY(make_channel(p.go, p.fds));
  Result<int> in = open_stdin(spec.stdin_source, p.fds);
  if (!in) return std::move(in).error();
  int* fds = plan.fds;
  // A pidfd of this process lets the child notice a parent that died before it could
  // set its parent-death signal; without pidfds (Linux < 5.3) that check is skipped.
  fds[k_fd_parent] = p.fds.add(static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0)));
  fds[k_fd_error] = p.error[1];
  fds[k_fd_status] = p.status[1];
  fds[k_fd_stdin] = *in;
  fds[k_fd_stdout] = p.out[1];
  fds[k_fd_stderr] = p.err[1];
  fds[k_fd_go] = p.go[0];
  return {};
}

// Raw clone with fork semantics: glibc's clone() wants a separate stack, fork() cannot
// take namespace flags.
pid_t clone_child(int flags) {
  return static_cast<pid_t>(::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, 0));
}

// The same, started inside the v2 cgroup cgroup_dir names (Linux 5.7): no move after
// the fact, so none of the global lock a move takes. -1 where clone3 is missing or
// refused (an old kernel, a container's seccomp policy): the caller then moves the child.
pid_t clone_child_into(int flags, int cgroup_dir) {
  clone_args args{};
  args.flags = static_cast<std::uint64_t>(flags) | CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = static_cast<std::uint64_t>(cgroup_dir);
  return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}

// The mechanisms the chain and the cgroup apply, checked against --require before the
// child may start the task.
Status check_required(Handle::Impl& impl, bool root, const Prepared& p,
                      const std::vector<std::string>& cgroup_applied) {
  impl.isolation.clear();
  add_chain_mechanisms(p.plan, root, impl.isolation);
  impl.isolation.insert(impl.isolation.end(), cgroup_applied.begin(), cgroup_applied.end());
  std::vector<std::string> lacking = unmet(impl.spec.require, impl.isolation);
  if (lacking.empty()) return {};
  std::string why = impl.missing.empty() ? "" : " (" + join(impl.missing, "; ") + ")";
  return make_error(ErrorCode::unsupported,
                    "required isolation not available: " + join(lacking, ",") + why,
                    "run as root, or drop those names from --require");
}

Result<pid_t> spawn(Handle::Impl& impl, bool root, Prepared& p, int cgroup_dir) {
  // Root needs no user namespace: it mounts with its real capabilities and then becomes
  // an unprivileged host uid, which clears them all. Files the set-up creates would
  // otherwise need uid 0 mapped into the namespace, i.e. the host's root. Root's network
  // namespace comes from the parent (NetMaker).
  bool clone_net = !impl.spec.net && !root;
  int flags = k_namespaces | (clone_net ? CLONE_NEWNET : 0) | (root ? 0 : CLONE_NEWUSER);
  pid_t pid = cgroup_dir >= 0 ? clone_child_into(flags, cgroup_dir) : -1;
  impl.cloned_into_cgroup = pid >= 0;
  if (pid < 0) pid = clone_child(flags);
  if (pid < 0 && !root && (errno == EPERM || errno == EINVAL || errno == ENOSPC)) {
    // No user namespaces for us: run with rlimits only, and say so.
    impl.missing.push_back(std::string("namespaces (clone: ") + std::strerror(errno) + ")");
    p.plan.isolate = false;
    p.plan.drop_caps = false;
    p.plan.map_ids = false;
    if (impl.workdir.empty()) {
      // No mount namespace for a private tmpfs: a host directory, removed afterwards.
      Result<std::string> made = make_temp_workdir(-1, -1);
      if (!made) return std::move(made).error();
      impl.workdir = *made;
      impl.own_workdir = true;
      IA_TRY(write_task_files(impl.workdir, impl.spec.files));
    }
    p.plan.cwd = impl.workdir;
    pid = clone_child(0);
  }
  if (pid < 0) return system_error("clone");
  if (pid == 0) run_child(p.plan);
  impl.pid_ns = p.plan.isolate;
  return pid;
}

// Waits for the set-up chain to finish: the error pipe closes at the task's exec, or
// carries the failing step.
Status await_setup(Prepared& p) {
  p.fds.close(p.error[1]);
  ChildError report{};
  ssize_t n;
  do n = ::read(p.error[0], &report, sizeof report);
  while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof report)) return child_failure(report);
  return {};
}

void abort_child(Handle::Impl& impl) {
  if (impl.pidfd >= 0)
    ::syscall(SYS_pidfd_send_signal, impl.pidfd, SIGKILL, nullptr, 0);
  else
    ::kill(impl.pid, SIGKILL);
  ::waitpid(impl.pid, nullptr, 0);
  impl.reaped = true;
}

// The child in the cgroup, --require, then the verdict that lets the child go on to the
// task. On error the caller kills the child.
Status place_in_cgroup(Handle::Impl& impl, bool root, Prepared& p,
                       std::vector<std::string>& applied) {
  std::vector<int> join;
  enter_cgroup(impl, p.fds, join, applied);
  auto has = [&applied](const char* name) {
    return std::find(applied.begin(), applied.end(), name) != applied.end();
  };
  impl.cgroup_freezer = has("freezer");
  IA_TRY(check_required(impl, root, p, applied));
  CgroupVerdict verdict;
  for (const auto& entry : task_rlimits(with_init(impl.spec.limits), has("mem"), has("pids"))) {
    if (verdict.count == CgroupVerdict::k_max_rlimits) {
      return make_error(ErrorCode::internal, "more rlimits than the sandbox child can take");
    }
    verdict.rlimits[verdict.count++] = entry;
  }
  verdict.join_count = static_cast<int>(join.size());
  IA_TRY(send_to_child(p.go[1], &verdict, sizeof verdict, join));
  for (int& fd : join) p.fds.close(fd);
  return {};
}

void hand_over(Handle::Impl& impl, Prepared& p) {
  impl.status_fd = ::dup(p.status[0]);
  impl.out_fd = ::dup(p.out[0]);
  impl.err_fd = ::dup(p.err[0]);
  for (int fd : {impl.status_fd, impl.out_fd, impl.err_fd}) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

}  // namespace

Result<Handle> start(const Spec& spec) {
  if (spec.argv.empty()) {
    return make_error(ErrorCode::invalid_argument, "no command to run",
                      "put the command after --, as in: ia-sandbox -- python3 job.py");
  }
  IA_TRY(check_task_files(spec));
  auto impl = std::make_unique<Handle::Impl>();
  impl->spec = spec;
  impl->started_ms = steady_now_ms();
  impl->wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (impl->wake_fd < 0) return system_error("eventfd");
  bool root = ::geteuid() == 0;
  NetMaker net;
  if (root && !spec.net) IA_TRY(net.begin());  // the same test as plan.net_handoff
  Prepared p;
  IA_TRY(prepare(*impl, root, p));
  p.plan.fds[k_fd_net] = net.child_end();
  // A v2 cgroup is made first, so that the child starts inside it; a v1 one while the
  // child sets up, which then joins it itself. Either way no move waits for the kernel.
  CgroupLayout layout = task_layout(spec, p.sweep_dirs);
  std::vector<std::string> applied;
  bool v2 = layout.version == CgroupLayout::Version::v2;
  if (v2) make_cgroup(*impl, layout, applied);
  Result<pid_t> pid = spawn(*impl, root, p, open_clone_into_dir(*impl, p.fds));
  if (!pid) return std::move(pid).error();
  impl->pid = *pid;
  impl->pidfd = static_cast<int>(::syscall(SYS_pidfd_open, impl->pid, 0));
  if (!p.plan.isolate) impl->missing.push_back("fs, net and pid isolation (no namespaces)");
  if (spec.net) impl->missing.push_back("net (--net shares the host's network)");
  // The child builds its root meanwhile.
  if (!v2) make_cgroup(*impl, layout, applied);
  Status placed = place_in_cgroup(*impl, root, p, applied);
  if (!placed) {
    abort_child(*impl);
    return std::move(placed).error();
  }
  // With neither a PID namespace nor a cgroup, nothing holds a process that left the
  // task's session (setsid).
  if (!p.plan.isolate && !impl->cgroup) {
    impl->missing.push_back("processes that leave the task's session outlive it");
  }
  // Off the critical path: the child is still setting up.
  (void)sweep_stale_cgroups(p.sweep_dirs, owner_alive);
  Status ready = await_setup(p);
  if (!ready) {
    abort_child(*impl);
    return std::move(ready).error();
  }
  hand_over(*impl, p);
  return Handle(std::move(impl));
}

}  // namespace ia::sandbox
