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
#include <string>
#include <vector>

#include "core/result.hpp"
#include "sandbox/sandbox.hpp"

namespace ia::sandbox {

struct CgroupLayout {
  enum class Version { none, v1, v2 };
  Version version = Version::none;
  std::string v2_root;                           // cgroup2 mount point
  std::map<std::string, std::string> v1_roots;   // controller -> mount point
  std::string own_path;                          // this process's v2 cgroup ("/a/b")
};

// From /proc/self/mountinfo and /proc/self/cgroup text. v2 wins when its mount offers the
// memory controller; read(path) returns a file's text ("" when absent).
CgroupLayout probe_layout(const std::string& mountinfo, const std::string& self_cgroup,
                          const std::function<std::string(const std::string&)>& read);
CgroupLayout probe_system_layout();

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

// Small file helpers shared by both versions.
Status write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);
std::vector<pid_t> read_pids(const std::string& path);
Status remove_dir_retrying(const std::string& path);

}  // namespace ia::sandbox
