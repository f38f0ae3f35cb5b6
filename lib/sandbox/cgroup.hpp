// One task's cgroup behind one interface; probe_layout() reads the mount table and picks
// the v2 or v1 implementation at run time (as nsjail does). Paths are plain directories,
// so tests drive both implementations against temporary trees. Not thread safe except
// freeze/thaw/kill_all, which only write files.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "sandbox/sandbox.hpp"

namespace ia::sandbox {

struct CgroupLayout {
  enum class Version { none, v1, v2 };
  Version version = Version::none;
  std::string v2_root;                          // cgroup2 mount tasks use (auto: with memory)
  std::string v2_mount;                         // any cgroup2 mount point
  std::map<std::string, std::string> v1_roots;  // controller -> mount point
  std::string own_path;                         // this process's v2 cgroup ("/a/b")
};

// From /proc/self/mountinfo and /proc/self/cgroup text. v2 wins when its mount offers the
// memory controller; read(path) returns a file's text ("" when absent).
CgroupLayout probe_layout(const std::string& mountinfo, const std::string& self_cgroup,
                          const std::function<std::string(const std::string&)>& read);
CgroupLayout probe_system_layout();

// The probed layout narrowed to what mode allows: v2 takes any cgroup2 mount, v1 the v1
// controllers, off none. The roots of the other version stay, for the sweep.
void choose_version(CgroupLayout& layout, CgroupMode mode);

// Drops v1 controllers the task does not need (each costs a mkdir and an rmdir per task):
// cpu without a CPU quota, cpuacct without a CPU-time limit, the freezer unless the task
// may be frozen (ia-node's freeze and thaw).
void keep_needed_controllers(CgroupLayout& layout, const Limits& limits, bool freezer);

struct CgroupUsage {
  std::int64_t cpu_ms = -1;  // -1: unknown
  bool oom_killed = false;
};

class Cgroup {
 public:
  virtual ~Cgroup() = default;
  // Writes the limits; mechanisms it applied land in applied ("mem", "pids", "cpu", "freezer").
  virtual Status apply(const Limits& limits, std::vector<std::string>& applied) = 0;
  virtual Status attach(pid_t pid) = 0;
  // Files a process writes "0" to in order to move itself in, or none (v2). v1's `tasks`
  // moves one thread without the kernel's global threadgroup lock, whose writer waits a
  // whole RCU grace period (11 ms on the reference VM) whenever no other cgroup move came
  // just before; attach() takes that lock. The child is single-threaded, so one thread
  // is the whole process.
  virtual std::vector<std::string> self_join_files() const = 0;
  // A v2 cgroup's directory: clone3() with CLONE_INTO_CGROUP starts a process inside,
  // again without the lock. "" for v1.
  virtual std::string clone_into_dir() const = 0;
  virtual Status freeze() = 0;
  virtual Status thaw() = 0;
  virtual Status kill_all() = 0;
  virtual CgroupUsage usage() const = 0;
  // Removes the directories, retrying while the kernel still counts exited tasks.
  virtual Status remove() = 0;
  virtual std::vector<std::string> paths() const = 0;
};

// Creates <root>/<parent>/<name> (per controller for v1).
Result<std::unique_ptr<Cgroup>> create_cgroup_v1(const std::map<std::string, std::string>& roots,
                                                 const std::string& parent,
                                                 const std::string& name);
Result<std::unique_ptr<Cgroup>> create_cgroup_v2(const std::string& base, const std::string& parent,
                                                 const std::string& name);
Result<std::unique_ptr<Cgroup>> create_cgroup(const CgroupLayout& layout, const std::string& parent,
                                              const std::string& name);

// ---- Stale task cgroups (cgroup_sweep_linux.cpp) ----
// A task cgroup's name carries its owner, the ia-sandbox or ia-node process that made it,
// so a later start can tell the cgroups of a SIGKILLed owner from a live one's.

struct CgroupOwner {
  pid_t pid = 0;
  std::uint64_t start_time = 0;  // /proc/<pid>/stat field 22: a reused pid has another
  bool operator==(const CgroupOwner&) const = default;
};

// "task-<pid>-<start time>-<seq>"; parse_task_cgroup_name() is its inverse and refuses
// any other name.
std::string task_cgroup_name(const CgroupOwner& owner, unsigned seq);
std::optional<CgroupOwner> parse_task_cgroup_name(std::string_view name);

// This process; whether owner is still the same running (or unreaped) process.
CgroupOwner current_owner();
bool owner_alive(const CgroupOwner& owner);

// The directories that hold task cgroups under parent: one per v1 controller mounted
// (whether or not this task needs it), or the v2 one and its delegated variant.
std::vector<std::string> task_parent_dirs(const CgroupLayout& layout, const std::string& parent);

// Removes task cgroups under dirs whose owner is gone and which hold no process; never
// one whose owner is alive (a sandbox running now) or that still has a process, and
// never waits on one the kernel is still releasing (the next sweep gets it). Returns the
// directories removed.
std::vector<std::string> sweep_stale_cgroups(
    const std::vector<std::string>& dirs, const std::function<bool(const CgroupOwner&)>& alive);

// The quota and period, in microseconds, that give cpus CPUs of bandwidth. The kernel
// refuses quotas under 1 ms and periods over 1 s, so a small bandwidth gets the longest
// period, and none is smaller than 0.001 CPUs (a refused write would cost the task its
// whole cgroup, memory limit and freezer included).
struct CpuQuota {
  long quota_us = 0, period_us = 0;
};
CpuQuota cpu_quota(double cpus);

// Small file helpers shared by both versions.
Status write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);
std::vector<pid_t> read_pids(const std::string& path);
Status remove_dir_retrying(const std::string& path);
// One attempt (plain directories of test trees are emptied of files first).
Status remove_dir_now(const std::string& path);

}  // namespace ia::sandbox
