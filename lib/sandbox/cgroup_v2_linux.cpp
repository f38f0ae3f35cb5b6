// cgroup v2: one directory <base>/<parent>/<name> with memory.max, memory.swap.max,
// pids.max and cpu.max; cgroup.freeze and cgroup.kill act on the whole task at once.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "core/strings.hpp"
#include "sandbox/cgroup.hpp"

namespace ia::sandbox {

namespace {

class CgroupV2 final : public Cgroup {
 public:
  explicit CgroupV2(std::string dir) : m_dir(std::move(dir)) {}
  ~CgroupV2() override = default;

  Status apply(const Limits& limits, std::vector<std::string>& applied) override {
    std::vector<std::string> controllers =
        split_fields(trim(read_text(m_dir + "/cgroup.controllers")));
    auto offered = [&controllers](const char* name) {
      return std::find(controllers.begin(), controllers.end(), name) != controllers.end();
    };
    if (offered("memory") && limits.memory > 0) {
      IA_TRY(write_text(m_dir + "/memory.max", std::to_string(limits.memory)));
      // The swap file exists only when the kernel accounts swap.
      if (::access((m_dir + "/memory.swap.max").c_str(), F_OK) == 0) {
        IA_TRY(write_text(m_dir + "/memory.swap.max", "0"));
      }
      applied.push_back("mem");
    }
    if (offered("pids") && limits.pids > 0) {
      IA_TRY(write_text(m_dir + "/pids.max", std::to_string(limits.pids)));
      applied.push_back("pids");
    }
    if (offered("cpu") && limits.cpus > 0) {
      CpuQuota quota = cpu_quota(limits.cpus);
      IA_TRY(write_text(m_dir + "/cpu.max",
                        std::to_string(quota.quota_us) + " " + std::to_string(quota.period_us)));
      applied.push_back("cpu");
    }
    applied.push_back("freezer");
    return {};
  }

  Status attach(pid_t pid) override {
    return write_text(m_dir + "/cgroup.procs", std::to_string(pid));
  }
  // cgroup.procs moves whole processes under the global lock; cgroup.threads refuses to
  // cross domains: a process starts inside instead (clone_into_dir), or attach() it is.
  std::vector<std::string> self_join_files() const override { return {}; }
  std::string clone_into_dir() const override { return m_dir; }

  Status freeze() override { return write_text(m_dir + "/cgroup.freeze", "1"); }
  Status thaw() override { return write_text(m_dir + "/cgroup.freeze", "0"); }

  Status kill_all() override {
    // cgroup.kill (Linux 5.14) kills every member atomically; older kernels get a loop.
    if (read_pids(m_dir + "/cgroup.procs").empty()) return {};
    if (::access((m_dir + "/cgroup.kill").c_str(), F_OK) == 0 &&
        write_text(m_dir + "/cgroup.kill", "1").ok()) {
      return {};
    }
    for (int round = 0; round < 20; ++round) {
      (void)freeze();
      std::vector<pid_t> pids = read_pids(m_dir + "/cgroup.procs");
      for (pid_t pid : pids) ::kill(pid, SIGKILL);
      (void)thaw();
      if (pids.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return {};
  }

  CgroupUsage usage() const override {
    CgroupUsage usage;
    for (const std::string& line : split(read_text(m_dir + "/cpu.stat"), '\n')) {
      std::vector<std::string> fields = split_fields(line);
      long long usec = 0;
      if (fields.size() == 2 && fields[0] == "usage_usec" && parse_int64(fields[1], usec)) {
        usage.cpu_ms = usec / 1000;
      }
    }
    for (const std::string& line : split(read_text(m_dir + "/memory.events"), '\n')) {
      std::vector<std::string> fields = split_fields(line);
      if (fields.size() == 2 && fields[0] == "oom_kill" && fields[1] != "0")
        usage.oom_killed = true;
    }
    return usage;
  }

  Status remove() override { return remove_dir_retrying(m_dir); }
  std::vector<std::string> paths() const override { return {m_dir}; }

 private:
  std::string m_dir;
};

// Controllers reach a child only when every ancestor lists them in cgroup.subtree_control.
void enable_controllers(const std::string& dir) {
  std::vector<std::string> offered = split_fields(trim(read_text(dir + "/cgroup.controllers")));
  for (const char* name : {"memory", "pids", "cpu"}) {
    if (std::find(offered.begin(), offered.end(), name) != offered.end()) {
      (void)write_text(dir + "/cgroup.subtree_control", std::string("+") + name);
    }
  }
}

}  // namespace

Result<std::unique_ptr<Cgroup>> create_cgroup_v2(const std::string& base, const std::string& parent,
                                                 const std::string& name) {
  std::string top = base + "/" + parent;
  if (::mkdir(top.c_str(), 0755) != 0 && errno != EEXIST) return system_error("mkdir", top);
  enable_controllers(base);
  enable_controllers(top);
  std::string dir = top + "/" + name;
  if (::mkdir(dir.c_str(), 0755) != 0) return system_error("mkdir", dir);
  return std::unique_ptr<Cgroup>(new CgroupV2(dir));
}

}  // namespace ia::sandbox
