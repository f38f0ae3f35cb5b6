// The task's seccomp filter, compiled with libseccomp in the parent (the sandbox child
// may not allocate) and loaded by the child as the last step before exec.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "core/result.hpp"

namespace ia::sandbox {

// Denies (EPERM) ptrace, mount family, pivot_root, chroot, unshare, setns, namespace
// flags to clone, kexec, bpf, perf_event_open, key management, module loading,
// userfaultfd, reboot, swap, clock setting and TIOCSTI; foreign architectures are killed.
Result<std::vector<sock_filter>> build_seccomp_filter();

}  // namespace ia::sandbox
