#include "sandbox/channel_linux.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "sandbox/contain_linux.hpp"

namespace ia::sandbox {

Status open_channel(int ends[2]) {
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
    return system_error("socketpair");
  }
  return {};
}

Status send_to_child(int socket, const void* data, std::size_t size, const std::vector<int>& fds) {
  if (fds.size() > static_cast<std::size_t>(k_max_message_fds)) {
    return make_error(ErrorCode::internal, "more descriptors than the sandbox child can take");
  }
  iovec payload{const_cast<void*>(data), size};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * k_max_message_fds)] = {};
  msghdr message{};
  message.msg_iov = &payload;
  message.msg_iovlen = 1;
  if (!fds.empty()) {
    message.msg_control = control;
    message.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(header), fds.data(), sizeof(int) * fds.size());
  }
  // The parent holds the child's end too, so a child that died already costs no SIGPIPE.
  ssize_t n;
  do n = ::sendmsg(socket, &message, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(size)) return system_error("send to the sandbox child");
  return {};
}

}  // namespace ia::sandbox
