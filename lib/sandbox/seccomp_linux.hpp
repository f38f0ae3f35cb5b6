// The task's seccomp filter, compiled with libseccomp at build time (seccomp_gen.cpp) and
// loaded by the sandbox child as the last step before exec. Thread safe.
#pragma once

#include <linux/filter.h>

#include <iterator>
#include <vector>

namespace ia::sandbox {

// Denies (EPERM) ptrace and its kin, mount family, pivot_root, chroot, unshare, setns,
// namespace flags to clone, kexec, bpf, perf_event_open, key management, module loading,
// userfaultfd, reboot, swap, clock setting, TIOCSTI and TIOCLINUX; io_uring and clone3
// get ENOSYS; foreign architectures are killed.
std::vector<sock_filter> seccomp_filter();

}  // namespace ia::sandbox
