// The network namespace the parent makes for a task started as root: a new one with lo
// up, and the calling thread back in its own afterwards (its later sockets must stay on
// the host's network).
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "sandbox/net_linux.hpp"
#include "skip.hpp"

using namespace ia::sandbox;

namespace {

ino_t net_inode(const char* path) {
  struct stat info {};
  REQUIRE(::stat(path, &info) == 0);
  return info.st_ino;
}

// The interfaces of the namespace netns names, one per line, and whether lo is up, read
// from a thread that enters it.
std::string interfaces_in(int netns, bool& lo_up) {
  std::string text;
  lo_up = false;
  std::thread reader([&] {
    if (::setns(netns, CLONE_NEWNET) != 0) return;
    int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq request{};
    std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    if (sock >= 0 && ::ioctl(sock, SIOCGIFFLAGS, &request) == 0) {
      lo_up = (request.ifr_flags & IFF_UP) != 0;
    }
    if (sock >= 0) ::close(sock);
    std::ifstream in("/proc/thread-self/net/dev");
    std::string line;
    std::getline(in, line);
    std::getline(in, line);
    while (std::getline(in, line)) {
      std::string name = line.substr(0, line.find(':'));
      text += name.substr(name.find_first_not_of(' ')) + "\n";
    }
  });
  reader.join();
  return text;
}

}  // namespace

TEST_CASE("net namespace: a new one with loopback up, the caller back in its own") {
  if (::geteuid() != 0) {
    IA_SKIP("needs root (CAP_SYS_ADMIN) to make a network namespace");
  }
  ino_t before = net_inode("/proc/thread-self/ns/net");
  ia::Result<int> made = make_net_namespace();
  REQUIRE(made);
  CHECK(net_inode("/proc/thread-self/ns/net") == before);
  struct stat info {};
  REQUIRE(::fstat(*made, &info) == 0);
  CHECK(info.st_ino != before);
  bool lo_up = false;
  CHECK(interfaces_in(*made, lo_up) == "lo\n");
  CHECK(lo_up);
  // Two tasks never share one.
  ia::Result<int> other = make_net_namespace();
  REQUIRE(other);
  struct stat other_info {};
  REQUIRE(::fstat(*other, &other_info) == 0);
  CHECK(other_info.st_ino != info.st_ino);
  ::close(*made);
  ::close(*other);
}
