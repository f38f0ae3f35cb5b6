#include "node/state_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "core/file.hpp"
#include "core/strings.hpp"

namespace ia::node {

Result<StateLock> StateLock::acquire(const std::string& state_dir) {
  IA_TRY(make_directories(state_dir, 0700));
  std::string path = state_dir + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return system_error("open", path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    char holder[32] = {};
    ssize_t n = ::pread(fd, holder, sizeof holder - 1, 0);
    ::close(fd);
    if (saved != EWOULDBLOCK) return system_error("flock", path);
    std::string pid = n > 0 ? std::string(trim(std::string_view(holder, n))) : "";
    return make_error(ErrorCode::conflict,
                      "another ia-node" + (pid.empty() ? "" : " (pid " + pid + ")") +
                          " is running on the state directory " + state_dir,
                      "stop it first, or give this one its own --state-dir");
  }
  // Who holds it, for the message another agent prints.
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The lock holds without the pid; only the message is poorer.
  }
  return StateLock(fd);
}

StateLock::~StateLock() {
  if (m_fd >= 0) ::close(m_fd);
}

}  // namespace ia::node
