#include "core/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace ia {
namespace {

Result<sockaddr_un> socket_address(const std::string& address, socklen_t& length) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // systemd names an absolute path or an abstract socket ("@name"); anything else is
  // not from a service manager.
  if (address.size() < 2 || (address[0] != '/' && address[0] != '@') ||
      address.size() > sizeof(addr.sun_path) - 1) {
    return make_error(ErrorCode::invalid_argument,
                      "NOTIFY_SOCKET '" + address + "' is not a socket path or @name",
                      "it is set by systemd for Type=notify services; unset it elsewhere");
  }
  std::memcpy(addr.sun_path, address.data(), address.size());
  // Abstract names start with a NUL byte, and their length counts every byte given.
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
  length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
  return addr;
}

}  // namespace

Status notify_socket(const std::string& address, std::string_view state) {
  socklen_t length = 0;
  Result<sockaddr_un> addr = socket_address(address, length);
  if (!addr) return std::move(addr).error();
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return system_error("socket(AF_UNIX)", address);
  ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                          reinterpret_cast<const sockaddr*>(&*addr), length);
  int err = errno;
  ::close(fd);
  if (sent < 0) return system_error("send to the service manager", address, err);
  return {};
}

Status notify_service_manager(std::string_view state) {
  const char* address = std::getenv("NOTIFY_SOCKET");
  if (address == nullptr || *address == '\0') return {};
  return notify_socket(address, state);
}

}  // namespace ia
