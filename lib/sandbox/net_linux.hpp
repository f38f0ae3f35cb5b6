// The task's network namespace: loopback only. As root the parent makes it while the
// child builds its root, so the 0.4 ms the kernel spends setting up a namespace's
// network stack stays off the way to the task's exec; without root the child's clone
// makes it inside the new user namespace.
#pragma once

#include <thread>

#include "core/result.hpp"

namespace ia::sandbox {

// Brings up lo in the calling thread's network namespace: 0, or -1 with errno set. No
// allocation, so the sandbox child may call it.
int loopback_up();

// A new network namespace with lo up, as a descriptor. Made in the calling thread, which
// then returns to its own namespace: the process's other threads never change, and
// neither does this one's once it returns. Needs CAP_SYS_ADMIN.
Result<int> make_net_namespace();

// Makes one on a thread of its own, started first thing in start(), on the CPU the parent
// leaves idle while it prepares and clones, and sends it (a NetHandoff) on a socket
// whose other end the child reads as k_fd_net, as soon as it is made. One that cannot be
// made costs only time: the child then makes its own.
class NetMaker {
 public:
  NetMaker() = default;
  NetMaker(const NetMaker&) = delete;
  NetMaker& operator=(const NetMaker&) = delete;
  ~NetMaker();
  Status begin();
  int child_end() const { return m_ends[0]; }  // -1 before begin()

 private:
  void make_and_send();

  int m_ends[2] = {-1, -1};
  std::thread m_thread;
};

}  // namespace ia::sandbox
