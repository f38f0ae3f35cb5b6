// The sandbox child: a plan built by the parent (every string and table allocated there,
// because a child cloned from a threaded process must not call malloc), and run_child(),
// the chain of set-up steps that ends by becoming the namespace's init and exec'ing the task.
#pragma once

#include <linux/filter.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace ia::sandbox {

// Fixed descriptor numbers inside the child, so one close_range() drops everything else.
inline constexpr int k_fd_parent = 3;  // a pidfd of the parent: readable once it has exited
inline constexpr int k_fd_error = 4;   // child -> parent: a ChildError if a step fails
inline constexpr int k_fd_status = 5;  // init -> parent: the task's wait status
inline constexpr int k_fd_stdin = 6;
inline constexpr int k_fd_stdout = 7;
inline constexpr int k_fd_stderr = 8;
inline constexpr int k_fd_go = 9;     // parent -> child (a socket): a CgroupVerdict
inline constexpr int k_fd_net = 10;   // parent -> child (a socket), as root: a NetHandoff
inline constexpr int k_fd_count = 11;

// The most descriptors one parent -> child message carries (SCM_RIGHTS).
inline constexpr int k_max_message_fds = 8;

struct ChildError {
  char step[40];
  char detail[216];
  int err;
};

// As root, the network namespace the parent made (one descriptor by SCM_RIGHTS), or none
// when it could not make one, and the child makes its own.
struct NetHandoff {
  char tag = 'n';  // one byte: an empty message would read as end of file
};

// What the parent sends once it has made the task's cgroups (or found it cannot): the
// rlimits to apply, memory and process limits among them when no cgroup enforces those,
// and join_count descriptors (SCM_RIGHTS) of cgroup files the child writes "0" to, to
// move itself in (Cgroup::self_join_files). One message on a SOCK_SEQPACKET socket, so
// it arrives whole.
struct CgroupVerdict {
  static constexpr int k_max_rlimits = 8;
  static constexpr int k_max_join = k_max_message_fds;
  int count = 0;
  std::pair<int, rlimit> rlimits[k_max_rlimits];
  int join_count = 0;
};

struct MountOp {
  enum class Kind { bind_ro, bind_rw, bind_dev, tmpfs, proc, dir, symlink, file };
  Kind kind;
  std::string source;  // bind source, symlink target, file contents or tmpfs options
  std::string target;  // absolute, under the staging root
  mode_t mode = 0644;  // of a file
};

struct ChildPlan {
  int fds[k_fd_count] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};  // parent's numbers
  // Without root: the child maps its own ids in its new user namespace (user_namespaces(7)
  // allows a process to map its own effective uid and gid once setgroups is denied).
  bool map_ids = false;
  std::string uid_map, gid_map;
  bool isolate = true;  // namespaces were created; build the new root
  bool net_isolated = true;
  bool net_handoff = false;  // the parent sends the network namespace on k_fd_net
  std::string staging;  // where the new root is assembled before pivot_root
  std::vector<MountOp> mounts;
  std::string hostname = "ia-sandbox";
  bool drop_uid = false;  // started as root: setgroups/setresgid/setresuid
  bool drop_caps = true;  // false only without namespaces and without root
  unsigned uid = 0, gid = 0;
  int cap_last = 40;
  std::vector<sock_filter> seccomp;
  std::string cwd;  // inside the new root
  std::vector<std::string> argv_storage, env_storage, path_dirs;
  std::vector<char*> argv, envp;  // point into the storage, null-terminated
  // The caller's command line in its memory, and so in the child's copy: /proc/1/cmdline,
  // readable by the task, shows it until the child blanks it (ia-node --token is there).
  char* caller_args = nullptr;
  size_t caller_args_size = 0;
};

// Never returns: the child either execs the task (via its init) or reports and exits.
[[noreturn]] void run_child(const ChildPlan& plan);

}  // namespace ia::sandbox
