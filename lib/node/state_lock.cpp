#include "node/state_lock.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "core/file.hpp"

namespace ia::node {
namespace {

std::string lock_path(const std::string& state_dir) {
  return state_dir + "/lock";
}

struct flock whole_file(short type) {
  struct flock range = {};
  range.l_type = type;
  range.l_whence = SEEK_SET;
  return range;  // l_start 0, l_len 0: the whole file
}

std::optional<pid_t> holder_of(int fd) {
  struct flock range = whole_file(F_WRLCK);
  if (::fcntl(fd, F_GETLK, &range) != 0 || range.l_type == F_UNLCK) return std::nullopt;
  return range.l_pid;
}

}  // namespace

Result<StateLock> StateLock::acquire(const std::string& state_dir) {
  IA_TRY(make_directories(state_dir, 0700));
  std::string path = lock_path(state_dir);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return system_error("open", path);
  struct flock range = whole_file(F_WRLCK);
  if (::fcntl(fd, F_SETLK, &range) == 0) return StateLock(fd);
  int saved = errno;
  std::optional<pid_t> pid = holder_of(fd);
  ::close(fd);
  if (saved != EACCES && saved != EAGAIN) return system_error("lock", path, saved);
  return make_error(ErrorCode::conflict,
                    "another ia-node" + (pid ? " (pid " + std::to_string(*pid) + ")" : "") +
                        " is running on the state directory " + state_dir,
                    "stop it first, or give this one its own --state-dir");
}

std::optional<pid_t> StateLock::holder(const std::string& state_dir) {
  int fd = ::open(lock_path(state_dir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<pid_t> pid = holder_of(fd);
  ::close(fd);
  return pid;
}

StateLock::~StateLock() {
  if (m_fd >= 0) ::close(m_fd);
}

}  // namespace ia::node
