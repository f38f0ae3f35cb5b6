// Build-time program: compiles the sandbox's seccomp filter with libseccomp and prints
// the BPF program as C initialisers (seccomp_filter.inc), so ia-sandbox neither links
// libseccomp nor spends its start-up compiling the same filter for every task.
// Usage: ia_seccomp_gen OUTPUT
#include <errno.h>
#include <linux/filter.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

namespace {

// Syscalls a task never needs and a hostile one would use to escape or to reach the host.
constexpr const char* k_denied[] = {"ptrace",
                                    "process_vm_readv",
                                    "process_vm_writev",
                                    "process_madvise",
                                    "pidfd_getfd",
                                    "mount",
                                    "umount",
                                    "umount2",
                                    "pivot_root",
                                    "chroot",
                                    "unshare",
                                    "setns",
                                    "kexec_load",
                                    "kexec_file_load",
                                    "bpf",
                                    "perf_event_open",
                                    "keyctl",
                                    "add_key",
                                    "request_key",
                                    "init_module",
                                    "finit_module",
                                    "delete_module",
                                    "userfaultfd",
                                    "reboot",
                                    "swapon",
                                    "swapoff",
                                    "clock_settime",
                                    "clock_settime64",
                                    "clock_adjtime",
                                    "clock_adjtime64",
                                    "settimeofday",
                                    "stime",
                                    "adjtimex",
                                    "open_tree",
                                    "move_mount",
                                    "fsopen",
                                    "fsconfig",
                                    "fsmount",
                                    "fspick",
                                    "mount_setattr",
                                    "open_by_handle_at",
                                    "name_to_handle_at",
                                    "acct",
                                    "quotactl",
                                    "syslog",
                                    "iopl",
                                    "ioperm",
                                    "lookup_dcookie",
                                    "fanotify_init",
                                    "vhangup",
                                    "uselib",
                                    "nfsservctl"};

// io_uring runs reads, writes, opens and connects that no seccomp filter sees, and has been
// a large share of the kernel's exploitable bugs. ENOSYS, as on a kernel without it:
// libraries that try it (libuv, for one) fall back to plain system calls.
constexpr const char* k_absent[] = {"io_uring_setup", "io_uring_enter", "io_uring_register"};

// ioctls that push input into a terminal the task may share with its caller: TIOCSTI
// queues keystrokes, TIOCLINUX pastes a virtual console's selection.
constexpr unsigned long k_denied_ioctls[] = {TIOCSTI, TIOCLINUX};

constexpr unsigned long long k_namespace_flags[] = {CLONE_NEWUSER,  CLONE_NEWNS,  CLONE_NEWPID,
                                                    CLONE_NEWNET,   CLONE_NEWIPC, CLONE_NEWUTS,
                                                    CLONE_NEWCGROUP};

struct ContextFree {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};

bool seccomp_failure(const char* what, int rc) {
  fprintf(stderr, "ia_seccomp_gen: %s: error %d\n", what, -rc);
  return false;
}

bool add_rules(scmp_filter_ctx ctx) {
  for (const char* name : k_denied) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture
    if (int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0); rc < 0) {
      return seccomp_failure(name, rc);
    }
  }
  for (unsigned long long flag : k_namespace_flags) {
    int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
    if (rc < 0) return seccomp_failure("clone", rc);
  }
  // clone3 passes its flags in memory a filter cannot read; ENOSYS makes libc use clone.
  if (int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0); rc < 0) {
    return seccomp_failure("clone3", rc);
  }
  for (const char* name : k_absent) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;
    if (int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0); rc < 0) {
      return seccomp_failure(name, rc);
    }
  }
  // The kernel reads the request as 32 bits; so does the rule.
  for (unsigned long request : k_denied_ioctls) {
    int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                              SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffU, request));
    if (rc < 0) return seccomp_failure("ioctl", rc);
  }
  return true;
}

// The program as libseccomp exports it for this (the build's) architecture; foreign
// architectures' system calls are killed by the filter itself.
bool export_program(std::vector<sock_filter>& program) {
  std::unique_ptr<void, ContextFree> ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) return seccomp_failure("seccomp_init", -EINVAL);
  // no_new_privs is set by the sandbox child itself, as a named step.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  // A binary tree of syscall numbers instead of one long chain: the kernel walks the
  // filter for every number when it loads it (to cache the always-allowed ones), 140 us
  // per start with the chain on the reference VM, 58 us with the tree.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2); rc < 0) {
    return seccomp_failure("optimize", rc);
  }
  if (!add_rules(ctx.get())) return false;
  int fd = ::memfd_create("ia-seccomp", MFD_CLOEXEC);
  if (fd < 0) return seccomp_failure("memfd_create", -errno);
  if (int rc = seccomp_export_bpf(ctx.get(), fd); rc < 0) return seccomp_failure("export", rc);
  off_t size = ::lseek(fd, 0, SEEK_END);
  program.resize(static_cast<size_t>(size) / sizeof(sock_filter));
  ssize_t got = ::pread(fd, program.data(), program.size() * sizeof(sock_filter), 0);
  ::close(fd);
  return got == static_cast<ssize_t>(program.size() * sizeof(sock_filter)) && !program.empty();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: ia_seccomp_gen OUTPUT\n");
    return 2;
  }
  std::vector<sock_filter> program;
  if (!export_program(program)) return 1;
  std::string text =
      "// Generated at build time by ia_seccomp_gen (seccomp_gen.cpp); do not edit.\n";
  char line[64];
  for (const sock_filter& op : program) {
    snprintf(line, sizeof line, "{0x%04x, %u, %u, 0x%08x},\n", op.code, op.jt, op.jf, op.k);
    text += line;
  }
  FILE* out = fopen(argv[1], "w");
  if (!out || fputs(text.c_str(), out) < 0 || fclose(out) != 0) {
    fprintf(stderr, "ia_seccomp_gen: cannot write %s\n", argv[1]);
    return 1;
  }
  return 0;
}
