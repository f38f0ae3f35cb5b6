// The Linux Handle's state: the init process (pid and pidfd), the pipes from it, the
// cgroup and the working directory to remove. kill/freeze/thaw lock m_mutex so they never
// signal a pid that wait() has already reaped.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sandbox/cgroup.hpp"
#include "sandbox/sandbox.hpp"

namespace ia::sandbox {

struct Handle::Impl {
  Spec spec;
  pid_t pid = -1;
  int pidfd = -1;
  int status_fd = -1;
  int out_fd = -1, err_fd = -1;
  bool pid_ns = false;  // the task lives in its own PID namespace
  std::unique_ptr<Cgroup> cgroup;
  bool cgroup_freezer = false;
  bool cloned_into_cgroup = false;  // clone3 started the child inside (v2)
  std::string workdir;
  bool own_workdir = false;
  std::vector<std::string> isolation, missing;
  std::int64_t started_ms = 0;

  std::mutex mutex;
  bool reaped = false;
  bool killed = false;
  bool waited = false;
  bool term_sent = false;
  std::int64_t kill_at_ms = 0;  // after SIGTERM: when SIGKILL follows (0: not pending)
  // Written by terminate() to wake wait()'s poll, which may have no deadline of its own.
  int wake_fd = -1;
  std::int64_t cpu_ms_at_kill = -1;  // read before a kill where no cgroup counts it

  ~Impl();
  Status signal_all(int sig);  // every process of the task, without a freezer
  void close_fds();
  void clean_up();  // cgroup and temporary working directory
  Status send_term(std::int64_t now_ms);  // needs mutex
};

}  // namespace ia::sandbox
