#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "core/sd_notify.hpp"
#include "temp_dir.hpp"

using ia::test::TempDir;

namespace {

// A datagram socket like the one systemd listens on: bound to a path, or to an abstract
// name when the address starts with '@'.
struct Listener {
  int fd = -1;
  explicit Listener(const std::string& address) {
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, address.data(), address.size());
    if (address[0] == '@') addr.sun_path[0] = '\0';
    auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), length) == 0);
  }
  ~Listener() { ::close(fd); }
  std::string receive() const {
    char buffer[256];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    return n < 0 ? std::string("(nothing)") : std::string(buffer, static_cast<std::size_t>(n));
  }
};

}  // namespace

TEST_CASE("sd_notify: READY=1 reaches a socket bound to a path") {
  TempDir dir;
  std::string path = dir.str() + "/notify";
  Listener listener(path);
  REQUIRE(ia::notify_socket(path, "READY=1"));
  CHECK(listener.receive() == "READY=1");
}

TEST_CASE("sd_notify: an @name is the abstract namespace, as systemd writes it") {
  std::string address = "@ia-test-notify-" + std::to_string(::getpid());
  Listener listener(address);
  REQUIRE(ia::notify_socket(address, "STOPPING=1\nSTATUS=draining"));
  CHECK(listener.receive() == "STOPPING=1\nSTATUS=draining");
}

TEST_CASE("sd_notify: notify_service_manager follows NOTIFY_SOCKET, and does nothing without") {
  TempDir dir;
  std::string path = dir.str() + "/notify";
  Listener listener(path);
  ::unsetenv("NOTIFY_SOCKET");
  REQUIRE(ia::notify_service_manager("READY=1"));
  CHECK(listener.receive() == "(nothing)");
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  REQUIRE(ia::notify_service_manager("READY=1"));
  ::unsetenv("NOTIFY_SOCKET");
  CHECK(listener.receive() == "READY=1");
}

TEST_CASE("sd_notify: a relative or oversized NOTIFY_SOCKET is refused and named") {
  auto relative = ia::notify_socket("run/notify", "READY=1");
  REQUIRE_FALSE(relative);
  CHECK(relative.error().code == ia::ErrorCode::invalid_argument);
  CHECK(relative.error().message.find("'run/notify'") != std::string::npos);
  auto oversized = ia::notify_socket("/" + std::string(200, 'x'), "READY=1");
  REQUIRE_FALSE(oversized);
  CHECK(oversized.error().code == ia::ErrorCode::invalid_argument);
}

TEST_CASE("sd_notify: a socket nobody listens on is an error naming the path") {
  TempDir dir;
  std::string path = dir.str() + "/gone";
  auto sent = ia::notify_socket(path, "READY=1");
  REQUIRE_FALSE(sent);
  CHECK(sent.error().message.find("send to the service manager") != std::string::npos);
  CHECK(sent.error().message.find(path) != std::string::npos);
}
