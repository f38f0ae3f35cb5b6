#include "sandbox/net_linux.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "sandbox/channel_linux.hpp"
#include "sandbox/contain_linux.hpp"

namespace ia::sandbox {

int loopback_up() {
  int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return -1;
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  request.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
  int rc = ::ioctl(sock, SIOCSIFFLAGS, &request);
  int err = errno;
  ::close(sock);
  errno = err;
  return rc < 0 ? -1 : 0;
}

Result<int> make_net_namespace() {
  // Network namespaces belong to threads: unshare() moves only this one.
  int own = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (own < 0) return system_error("open", "/proc/thread-self/ns/net");
  if (::unshare(CLONE_NEWNET) != 0) {
    Error error = system_error("unshare", "network namespace");
    ::close(own);
    return error;
  }
  int made = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  int err = errno;
  bool up = made >= 0 && loopback_up() == 0;
  if (made >= 0 && !up) err = errno;
  if (::setns(own, CLONE_NEWNET) != 0) {
    // This thread would open its sockets in the task's namespace from now on: that must
    // never happen quietly, and nothing here can undo it.
    std::fprintf(stderr, "ia: cannot return to the network namespace: %s\n", std::strerror(errno));
    std::abort();
  }
  ::close(own);
  if (!up) {
    if (made >= 0) ::close(made);
    errno = err;
    return system_error(made < 0 ? "open the new network namespace" : "bring up loopback");
  }
  return made;
}

Status NetMaker::begin() {
  IA_TRY(open_channel(m_ends));
  m_thread = std::thread([this] { make_and_send(); });
  return {};
}

NetMaker::~NetMaker() {
  if (m_thread.joinable()) m_thread.join();
  for (int fd : m_ends)
    if (fd >= 0) ::close(fd);
}

void NetMaker::make_and_send() {
  Result<int> made = make_net_namespace();
  std::vector<int> fds;
  if (made) fds.push_back(*made);
  NetHandoff handoff;
  // Unsent, the child must see end of file rather than wait forever.
  if (!send_to_child(m_ends[1], &handoff, sizeof handoff, fds)) {
    ::close(m_ends[1]);
    m_ends[1] = -1;
  }
  if (made) ::close(*made);
}

}  // namespace ia::sandbox
