// One agent per state directory: two would share the spool and the status file, and
// both run tasks as the same node. A POSIX record lock on DIR/lock, held for the
// agent's life; the kernel drops it when the process dies, so a crash leaves no stale
// lock, and anyone may ask who holds it (ia-node status).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "core/result.hpp"

namespace ia::node {

class StateLock {
 public:
  // Creates the directory if needed; fails (conflict) while another process holds it.
  static Result<StateLock> acquire(const std::string& state_dir);
  // The pid of the agent holding the directory, if one does.
  static std::optional<pid_t> holder(const std::string& state_dir);

  StateLock(StateLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
  StateLock& operator=(StateLock&&) = delete;
  ~StateLock();

 private:
  explicit StateLock(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

}  // namespace ia::node
