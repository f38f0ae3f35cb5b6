// The task's network namespace: loopback only. As root the parent makes it while the
// child builds its root, so the 0.4 ms the kernel spends setting up a namespace's
// network stack stays off the way to the task's exec; without root the child's clone
// makes it inside the new user namespace.
#pragma once

#include "core/result.hpp"

namespace ia::sandbox {

// Brings up lo in the calling thread's network namespace: 0, or -1 with errno set. No
// allocation, so the sandbox child may call it.
int loopback_up();

// A new network namespace with lo up, as a descriptor. Made in the calling thread, which
// then returns to its own namespace: the process's other threads never change, and
// neither does this one's once it returns. Needs CAP_SYS_ADMIN.
Result<int> make_net_namespace();

}  // namespace ia::sandbox
