// The child's set-up chain. Everything here runs between clone() and execve() in a copy of
// a possibly threaded process, so it uses system calls and the plan only: no allocation,
// no locks, no exceptions. Each step returns 0 or fails with the step's name and errno.
#include "sandbox/contain_linux.hpp"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "sandbox/net_linux.hpp"

namespace ia::sandbox {

namespace {

[[noreturn]] void fail(const char* step, const char* detail, int err) {
  ChildError report{};
  strncpy(report.step, step, sizeof report.step - 1);
  strncpy(report.detail, detail ? detail : "", sizeof report.detail - 1);
  report.err = err;
  (void)!write(k_fd_error, &report, sizeof report);
  _exit(125);
}

#define STEP_CHECK(call, step, detail)         \
  do {                                         \
    if ((call) < 0) fail(step, detail, errno); \
  } while (0)

// Moves the parent's descriptors to fixed numbers and closes every other one, so no
// socket or file of the caller (ia-node's connections) leaks into the task. A fixed
// number the plan leaves unused is closed too: it may hold one of the parent's own.
void arrange_fds(const ChildPlan& plan) {
  int temp[k_fd_count];
  for (int i = 0; i < k_fd_count; ++i) {
    int fd = plan.fds[i];
    temp[i] = fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 100);
    if (fd >= 0 && temp[i] < 0) _exit(125);
  }
  for (int i = 3; i < k_fd_count; ++i) {
    if (temp[i] < 0) {
      close(i);
    } else if (dup3(temp[i], i, O_CLOEXEC) < 0) {
      _exit(125);
    }
  }
  syscall(SYS_close_range, k_fd_count, ~0U, 0);
}

void write_proc_self(const char* file, const std::string& text) {
  int fd = open(file, O_WRONLY | O_CLOEXEC);
  STEP_CHECK(fd, "open", file);
  STEP_CHECK(write(fd, text.data(), text.size()), "write", file);
  close(fd);
}

// Without root: the id maps that give the child its capabilities in the new namespace.
void map_ids(const ChildPlan& plan) {
  write_proc_self("/proc/self/setgroups", "deny");
  write_proc_self("/proc/self/uid_map", plan.uid_map);
  write_proc_self("/proc/self/gid_map", plan.gid_map);
}

// The namespace dies with its parent. Set first, and again after the uid change (which
// clears it); then a parent that died before it was set is caught through its pidfd.
void die_with_parent(const ChildPlan& plan) {
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (plan.fds[k_fd_parent] < 0) return;
  struct pollfd parent = {k_fd_parent, POLLIN, 0};
  if (poll(&parent, 1, 0) != 0) _exit(125);
  close(k_fd_parent);
}

void make_mounts_private() {
  STEP_CHECK(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "make mounts private",
             "/");
}

// A read-only bind keeps the flags the kernel locked on the source (nodev, noexec...):
// a user namespace may not clear them, so they are read back and repeated.
unsigned long locked_flags(const char* path) {
  struct statvfs info {};
  if (statvfs(path, &info) != 0) return 0;
  unsigned long flags = 0;
  if (info.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (info.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (info.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (info.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (info.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

int make_mount_point(const char* source, const char* target) {
  struct stat info {};
  if (stat(source, &info) != 0) return -1;
  if (S_ISDIR(info.st_mode)) return mkdir(target, 0755) == 0 || errno == EEXIST ? 0 : -1;
  int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  close(fd);
  return 0;
}

void bind(const MountOp& op, bool read_only) {
  const char* src = op.source.c_str();
  const char* dst = op.target.c_str();
  STEP_CHECK(make_mount_point(src, dst), "create mount point", dst);
  STEP_CHECK(mount(src, dst, nullptr, MS_BIND | MS_REC, nullptr), "bind mount", dst);
  // A device node bound from the host keeps the host mount's flags; nothing to add.
  if (op.kind == MountOp::Kind::bind_dev) return;
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | locked_flags(dst);
  if (read_only) flags |= MS_RDONLY;
  if (op.kind == MountOp::Kind::bind_rw) flags |= MS_NODEV;
  STEP_CHECK(mount(nullptr, dst, nullptr, flags, nullptr), "remount bind", dst);
}

void write_file(const MountOp& op) {
  int fd = open(op.target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, op.mode);
  STEP_CHECK(fd, "write file", op.target.c_str());
  // A task file may be large: a short write (the tmpfs full) is followed by the error.
  for (size_t done = 0; done < op.source.size();) {
    ssize_t n = write(fd, op.source.data() + done, op.source.size() - done);
    STEP_CHECK(n, "write file", op.target.c_str());
    done += static_cast<size_t>(n);
  }
  close(fd);
}

void apply_mount(const MountOp& op) {
  const char* dst = op.target.c_str();
  switch (op.kind) {
    case MountOp::Kind::bind_ro:
      bind(op, true);
      break;
    case MountOp::Kind::bind_rw:
      bind(op, false);
      break;
    case MountOp::Kind::bind_dev:
      bind(op, false);
      break;
    case MountOp::Kind::tmpfs:
      STEP_CHECK(mkdir(dst, 0755) == 0 || errno == EEXIST ? 0 : -1, "mkdir", dst);
      STEP_CHECK(mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV, op.source.c_str()),
                 "mount tmpfs", dst);
      break;
    case MountOp::Kind::proc:
      STEP_CHECK(mkdir(dst, 0555) == 0 || errno == EEXIST ? 0 : -1, "mkdir", dst);
      STEP_CHECK(mount("proc", dst, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr),
                 "mount proc", dst);
      break;
    case MountOp::Kind::dir:
      STEP_CHECK(mkdir(dst, 0755) == 0 || errno == EEXIST ? 0 : -1, "mkdir", dst);
      break;
    case MountOp::Kind::symlink:
      STEP_CHECK(symlink(op.source.c_str(), dst), "symlink", dst);
      break;
    case MountOp::Kind::file:
      write_file(op);
      break;
  }
}

void build_new_root(const ChildPlan& plan) {
  const char* root = plan.staging.c_str();
  STEP_CHECK(mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=4m"),
             "mount root tmpfs", root);
  for (const MountOp& op : plan.mounts) apply_mount(op);
}

// pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only
// the new root (the technique from pivot_root(2)'s notes).
void enter_new_root(const ChildPlan& plan) {
  STEP_CHECK(chdir(plan.staging.c_str()), "chdir", plan.staging.c_str());
  STEP_CHECK(syscall(SYS_pivot_root, ".", "."), "pivot_root", plan.staging.c_str());
  STEP_CHECK(umount2(".", MNT_DETACH), "detach old root", "/");
  STEP_CHECK(chdir("/"), "chdir", "/");
  STEP_CHECK(mount(nullptr, "/", nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr),
             "remount root read-only", "/");
}

void set_hostname(const ChildPlan& plan) {
  STEP_CHECK(sethostname(plan.hostname.data(), plan.hostname.size()), "set hostname",
             plan.hostname.c_str());
}

void bring_up_loopback() {
  STEP_CHECK(loopback_up(), "bring up loopback", "lo");
}

// One message of exactly size bytes from the parent on socket, with up to max_fds
// descriptors (their count in fd_count). Anything else, end of file included, ends the
// child: the parent gave up (it reports why) or died.
void receive(int socket, void* data, size_t size, int* fds, int max_fds, int& fd_count) {
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * k_max_message_fds)];
  iovec payload{data, size};
  msghdr message{};
  message.msg_iov = &payload;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t n;
  do n = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(size)) _exit(125);
  fd_count = 0;
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  if (!header || header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) return;
  int received = static_cast<int>((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
  int all[k_max_message_fds];
  if (received > k_max_message_fds) received = k_max_message_fds;
  memcpy(all, CMSG_DATA(header), sizeof(int) * static_cast<size_t>(received));
  for (int i = 0; i < received; ++i) {
    if (i < max_fds) {
      fds[fd_count++] = all[i];
    } else {
      close(all[i]);
    }
  }
}

// As root the parent makes the network namespace while this chain runs; one it could not
// make, the child makes itself.
void enter_parent_net() {
  NetHandoff handoff;
  int fd = -1, count = 0;
  receive(k_fd_net, &handoff, sizeof handoff, &fd, 1, count);
  close(k_fd_net);
  if (count == 0) {
    STEP_CHECK(unshare(CLONE_NEWNET), "unshare", "network namespace");
    bring_up_loopback();
    return;
  }
  STEP_CHECK(setns(fd, CLONE_NEWNET), "enter network namespace", "");
  close(fd);
}

// Raw system calls: glibc's wrappers apply the change to every thread the parent had
// (nptl setxid), and in a child of a raw clone() that list is stale, so they can wait
// forever on a thread the parent was starting at the time (seen with ia-node --slots 2).
void drop_uid(const ChildPlan& plan) {
  STEP_CHECK(static_cast<int>(::syscall(SYS_setgroups, 0, nullptr)), "setgroups", "");
  STEP_CHECK(static_cast<int>(::syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid)),
             "setresgid", "");
  STEP_CHECK(static_cast<int>(::syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid)),
             "setresuid", "");
}

// Needs CAP_SETPCAP, so it runs before the uid change; the bounding set keeps exec from
// ever granting a capability back.
void drop_bounding_set(const ChildPlan& plan) {
  for (int cap = 0; cap <= plan.cap_last; ++cap) {
    STEP_CHECK(prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "drop bounding capability", "");
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

void drop_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  STEP_CHECK(syscall(SYS_capset, &header, data), "capset", "");
}

void set_no_new_privs() {
  STEP_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs", "");
}

void load_seccomp(const ChildPlan& plan) {
  sock_fprog program{static_cast<unsigned short>(plan.seccomp.size()),
                     const_cast<sock_filter*>(plan.seccomp.data())};
  STEP_CHECK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0), "load seccomp", "");
}

void write_message(const char* a, const char* b, const char* c) {
  for (const char* part : {a, b, c}) (void)!write(2, part, strlen(part));
}

// Searches PATH without allocating; exit codes follow the shell: 127 missing, 126 refused.
[[noreturn]] void exec_task(const ChildPlan& plan) {
  const char* file = plan.argv[0];
  int err = ENOENT;
  if (strchr(file, '/')) {
    execve(file, plan.argv.data(), plan.envp.data());
    err = errno;
  } else {
    char path[4096];
    for (const std::string& dir : plan.path_dirs) {
      if (dir.size() + strlen(file) + 2 > sizeof path) continue;
      memcpy(path, dir.data(), dir.size());
      path[dir.size()] = '/';
      strcpy(path + dir.size() + 1, file);
      execve(path, plan.argv.data(), plan.envp.data());
      if (errno != ENOENT && errno != ENOTDIR) err = errno;
    }
  }
  write_message("ia-sandbox: cannot run '", file, "': ");
  write_message(strerror(err), "\n", "");
  _exit(err == ENOENT ? 127 : 126);
}

// The task can read /proc/1/cmdline; it shows a name instead of the caller's flags.
void blank_caller_args(const ChildPlan& plan) {
  if (!plan.caller_args) return;
  static constexpr char k_name[] = "ia-sandbox-init";
  memset(plan.caller_args, 0, plan.caller_args_size);
  memcpy(plan.caller_args, k_name, std::min(sizeof k_name, plan.caller_args_size) - 1);
}

// What init hands the task it clones: the plan and the caller's umask, which the task
// gets back (the set-up ran under 022).
struct TaskStart {
  const ChildPlan* plan;
  mode_t umask;
};

[[noreturn]] void start_task(const ChildPlan& plan, mode_t mask) {
  umask(mask);
  if (plan.fds[k_fd_stdin] >= 0) dup2(k_fd_stdin, 0);
  if (plan.fds[k_fd_stdout] >= 0) dup2(k_fd_stdout, 1);
  if (plan.fds[k_fd_stderr] >= 0) dup2(k_fd_stderr, 2);
  syscall(SYS_close_range, 3, ~0U, 0);
  signal(SIGPIPE, SIG_DFL);
  // The signal mask survives exec: ia-node's threads block SIGTERM for their signal
  // thread, and a task that inherits that never sees the SIGTERM of its kill grace.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (chdir(plan.cwd.c_str()) != 0) {
    write_message("ia-sandbox: cannot enter the working directory ", plan.cwd.c_str(), "\n");
    _exit(125);
  }
  exec_task(plan);
}

int task_main(void* start) {
  const TaskStart& task = *static_cast<const TaskStart*>(start);
  start_task(*task.plan, task.umask);
}

// The parent makes the task's cgroups while the chain above runs, then sends the
// verdict; this process joins them and the task, cloned next, starts in them under the
// verdict's rlimits.
void await_verdict() {
  CgroupVerdict verdict;
  int join[CgroupVerdict::k_max_join], count = 0;
  receive(k_fd_go, &verdict, sizeof verdict, join, CgroupVerdict::k_max_join, count);
  close(k_fd_go);
  for (int i = 0; i < count; ++i) {
    STEP_CHECK(write(join[i], "0", 1), "join cgroup", "");
    close(join[i]);
  }
  if (count != verdict.join_count) fail("join cgroup", "descriptors missing", EBADMSG);
  for (int i = 0; i < verdict.count && i < CgroupVerdict::k_max_rlimits; ++i) {
    const auto& [resource, limit] = verdict.rlimits[i];
    STEP_CHECK(setrlimit(static_cast<__rlimit_resource>(resource), &limit), "setrlimit", "");
  }
}

// PID 1 of the namespace: reaps orphans and reports the task's status. When it exits
// the kernel kills every process left in the namespace, daemons included.
[[noreturn]] void be_init(const ChildPlan& plan, mode_t task_umask) {
  // The task borrows init's memory until its exec, as posix_spawn does (CLONE_VM with
  // CLONE_VFORK): no page tables to copy and no copy-on-write faults, which cost a TLB
  // flush each; init has nothing to do until then anyway.
  alignas(16) char stack[64 * 1024];
  TaskStart start{&plan, task_umask};
  pid_t task = clone(task_main, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
  if (task < 0) fail("start task", "", errno);
  // The SIGTERM that ends a task with a grace goes to every process of its session; init
  // (outside a PID namespace a plain process) must outlive it to report the task's status.
  signal(SIGTERM, SIG_IGN);
  for (int fd : {0, 1, 2, k_fd_error, k_fd_stdin, k_fd_stdout, k_fd_stderr}) {
    close(fd);
  }
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid == task) {
      (void)!write(k_fd_status, &status, sizeof status);
      _exit(0);
    }
    if (pid < 0 && errno != EINTR) _exit(0);
  }
}

}  // namespace

void run_child(const ChildPlan& plan) {
  // The new root's files and directories must be readable by the task's uid whatever the
  // caller's umask (077 made /etc unreadable to a task started by root).
  mode_t caller_umask = umask(022);
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  arrange_fds(plan);
  if (plan.map_ids) map_ids(plan);
  // This process, the task's init, holds a copy of the caller's memory (ia-node's
  // credentials, other tasks' data). Started without root the task has init's uid, and a
  // dumpable init would let it read that copy through /proc/1/mem. Not before the id maps:
  // a process that is not dumpable cannot write its own. The task's exec makes it dumpable.
  STEP_CHECK(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "not dumpable", "");
  blank_caller_args(plan);
  if (plan.isolate) {
    make_mounts_private();
    build_new_root(plan);
    enter_new_root(plan);
    set_hostname(plan);
    if (plan.net_handoff) {
      enter_parent_net();
    } else if (plan.net_isolated) {
      bring_up_loopback();
    }
  }
  // Our own session: the task cannot reach the caller's terminal as its controlling tty.
  setsid();
  if (plan.drop_caps) drop_bounding_set(plan);
  if (plan.drop_uid) drop_uid(plan);
  die_with_parent(plan);
  if (plan.drop_caps) drop_capabilities();
  set_no_new_privs();
  load_seccomp(plan);
  await_verdict();
  be_init(plan, caller_umask);
}

}  // namespace ia::sandbox
