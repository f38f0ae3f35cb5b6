// The compiled seccomp filter, run on made-up system calls by a small classic-BPF
// interpreter: the verdict of every denied call, the calls a task needs, clone's
// namespace flags, clone3, TIOCSTI and foreign architectures. The program is whatever
// the build made (a chain or a tree), so the test holds for either.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "sandbox/seccomp_linux.hpp"

using namespace ia::sandbox;

namespace {

#if defined(__x86_64__)
constexpr std::uint32_t k_native_arch = AUDIT_ARCH_X86_64;
constexpr std::uint32_t k_foreign_arch = AUDIT_ARCH_I386;
#elif defined(__aarch64__)
constexpr std::uint32_t k_native_arch = AUDIT_ARCH_AARCH64;
constexpr std::uint32_t k_foreign_arch = AUDIT_ARCH_ARM;
#endif

// One short case per line reads like the instruction table it is.
// clang-format off
struct Machine {
  const seccomp_data& data;
  std::uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};

  std::uint32_t word_at(std::uint32_t offset) const {
    std::uint32_t word = 0;
    if (offset + sizeof word > sizeof data) throw std::runtime_error("load past seccomp_data");
    std::memcpy(&word, reinterpret_cast<const char*>(&data) + offset, sizeof word);
    return word;
  }
  std::uint32_t load(const sock_filter& op) const {
    switch (BPF_MODE(op.code)) {
      case BPF_ABS: return word_at(op.k);
      case BPF_IMM: return op.k;
      case BPF_MEM: return mem[op.k % BPF_MEMWORDS];
      default: throw std::runtime_error("load mode");
    }
  }
  void alu(const sock_filter& op, std::uint32_t operand) {
    switch (BPF_OP(op.code)) {
      case BPF_AND: a &= operand; return;
      case BPF_OR: a |= operand; return;
      case BPF_ADD: a += operand; return;
      case BPF_SUB: a -= operand; return;
      case BPF_RSH: a >>= operand; return;
      case BPF_LSH: a <<= operand; return;
      default: throw std::runtime_error("alu op");
    }
  }
  bool taken(const sock_filter& op, std::uint32_t operand) const {
    switch (BPF_OP(op.code)) {
      case BPF_JEQ: return a == operand;
      case BPF_JGT: return a > operand;
      case BPF_JGE: return a >= operand;
      case BPF_JSET: return (a & operand) != 0;
      default: throw std::runtime_error("jump op");
    }
  }
};

// Runs a seccomp program over one seccomp_data; throws on an instruction it does not know,
// so a program it cannot read fails the test instead of passing it.
std::uint32_t run_filter(const std::vector<sock_filter>& program, const seccomp_data& data) {
  Machine m{data};
  for (std::size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& op = program[pc];
    std::uint32_t operand = BPF_SRC(op.code) == BPF_X ? m.x : op.k;
    switch (BPF_CLASS(op.code)) {
      case BPF_LD: m.a = m.load(op); break;
      case BPF_LDX: m.x = m.load(op); break;
      case BPF_ST: m.mem[op.k % BPF_MEMWORDS] = m.a; break;
      case BPF_STX: m.mem[op.k % BPF_MEMWORDS] = m.x; break;
      case BPF_ALU: m.alu(op, operand); break;
      case BPF_JMP:
        if (BPF_OP(op.code) == BPF_JA) pc += op.k;
        else pc += m.taken(op, operand) ? op.jt : op.jf;
        break;
      case BPF_RET: return BPF_RVAL(op.code) == BPF_A ? m.a : op.k;
      case BPF_MISC:
        if (BPF_MISCOP(op.code) == BPF_TAX) m.x = m.a;
        else m.a = m.x;
        break;
      default: throw std::runtime_error("instruction class");
    }
  }
  throw std::runtime_error("ran off the end of the program");
}

// clang-format on

seccomp_data call(long nr, std::uint64_t arg0 = 0, std::uint64_t arg1 = 0,
                  std::uint32_t arch = k_native_arch) {
  seccomp_data data{};
  data.nr = static_cast<int>(nr);
  data.arch = arch;
  data.args[0] = arg0;
  data.args[1] = arg1;
  return data;
}

constexpr std::uint32_t k_denied = SECCOMP_RET_ERRNO | EPERM;

}  // namespace

TEST_CASE("seccomp filter: every escape call is denied with EPERM") {
  std::vector<sock_filter> program = seccomp_filter();
  const long denied[] = {
    SYS_ptrace,
    SYS_process_vm_readv,
    SYS_process_vm_writev,
    SYS_process_madvise,
    SYS_pidfd_getfd,
    SYS_mount,
    SYS_umount2,
    SYS_pivot_root,
    SYS_chroot,
    SYS_unshare,
    SYS_setns,
    SYS_kexec_load,
    SYS_kexec_file_load,
    SYS_bpf,
    SYS_perf_event_open,
    SYS_keyctl,
    SYS_add_key,
    SYS_request_key,
    SYS_init_module,
    SYS_finit_module,
    SYS_delete_module,
    SYS_userfaultfd,
    SYS_reboot,
    SYS_swapon,
    SYS_swapoff,
    SYS_clock_settime,
    SYS_clock_adjtime,
    SYS_settimeofday,
    SYS_adjtimex,
    SYS_open_tree,
    SYS_move_mount,
    SYS_fsopen,
    SYS_fsconfig,
    SYS_fsmount,
    SYS_fspick,
    SYS_mount_setattr,
    SYS_open_by_handle_at,
    SYS_name_to_handle_at,
    SYS_acct,
    SYS_quotactl,
    SYS_syslog,
#if defined(__x86_64__)
    SYS_iopl,
    SYS_ioperm,
    SYS_uselib,
#endif
    SYS_lookup_dcookie,
    SYS_fanotify_init,
    SYS_vhangup
  };
  for (long nr : denied) {
    INFO("syscall " << nr);
    CHECK(run_filter(program, call(nr)) == k_denied);
  }
}

TEST_CASE("seccomp filter: what a task needs is allowed") {
  std::vector<sock_filter> program = seccomp_filter();
  const long allowed[] = {SYS_read,   SYS_write,      SYS_openat, SYS_close,   SYS_mmap,
                          SYS_execve, SYS_exit_group, SYS_socket, SYS_connect, SYS_futex,
                          SYS_getpid, SYS_wait4,      SYS_kill,   SYS_prctl,   SYS_brk};
  for (long nr : allowed) {
    INFO("syscall " << nr);
    CHECK(run_filter(program, call(nr)) == SECCOMP_RET_ALLOW);
  }
  // fork and threads: clone without namespace flags.
  CHECK(run_filter(program, call(SYS_clone, SIGCHLD)) == SECCOMP_RET_ALLOW);
  CHECK(run_filter(program, call(SYS_clone, CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_FS |
                                                CLONE_FILES)) == SECCOMP_RET_ALLOW);
  CHECK(run_filter(program, call(SYS_ioctl, 1, TCGETS)) == SECCOMP_RET_ALLOW);
}

TEST_CASE("seccomp filter: namespace flags to clone and clone3 and io_uring and tty ioctls and foreign calls") {
  std::vector<sock_filter> program = seccomp_filter();
  for (std::uint64_t flag : {CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC,
                             CLONE_NEWUTS, CLONE_NEWCGROUP}) {
    INFO("flag " << flag);
    CHECK(run_filter(program, call(SYS_clone, flag | SIGCHLD)) == k_denied);
  }
  // ENOSYS sends libc back to clone, whose flags the filter can read.
  CHECK(run_filter(program, call(SYS_clone3)) == (SECCOMP_RET_ERRNO | ENOSYS));
  CHECK(run_filter(program, call(SYS_ioctl, 0, TIOCSTI)) == k_denied);
  // The kernel compares only the low 32 bits of the request; so must the filter.
  CHECK(run_filter(program, call(SYS_ioctl, 0, 0xffffffff00000000ULL | TIOCSTI)) == k_denied);
  CHECK(run_filter(program, call(SYS_ioctl, 0, TIOCLINUX)) == k_denied);
  // io_uring's operations pass no filter: absent, so that its users fall back.
  for (long nr : {SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register}) {
    INFO("syscall " << nr);
    CHECK(run_filter(program, call(nr)) == (SECCOMP_RET_ERRNO | ENOSYS));
  }
  std::uint32_t foreign = run_filter(program, call(SYS_read, 0, 0, k_foreign_arch));
  CHECK((foreign & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ALLOW);
  CHECK((foreign & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO);
#if defined(__x86_64__)
  // x32 numbers are another ABI on the same architecture value.
  std::uint32_t x32 = run_filter(program, call(0x40000000 | SYS_read));
  CHECK(x32 != SECCOMP_RET_ALLOW);
#endif
}
