// cgroup v1: one directory per controller (memory, pids, cpu, cpuacct, freezer), each
// <mount>/<parent>/<name>. memory.memsw.limit_in_bytes closes the swap escape when the
// kernel accounts swap; cpuacct gives CPU time; freezer stops the whole task at once.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "core/strings.hpp"
#include "sandbox/cgroup.hpp"

namespace ia::sandbox {

namespace {

class CgroupV1 final : public Cgroup {
 public:
  explicit CgroupV1(std::map<std::string, std::string> dirs) : m_dirs(std::move(dirs)) {}
  ~CgroupV1() override = default;

  Status apply(const Limits& limits, std::vector<std::string>& applied) override {
    if (has("memory") && limits.memory > 0) {
      std::string bytes = std::to_string(limits.memory);
      IA_TRY(write_text(file("memory", "memory.limit_in_bytes"), bytes));
      // Absent when swap accounting is off; then there is no swap to escape into anyway.
      if (::access(file("memory", "memory.memsw.limit_in_bytes").c_str(), F_OK) == 0) {
        IA_TRY(write_text(file("memory", "memory.memsw.limit_in_bytes"), bytes));
      }
      applied.push_back("mem");
    }
    if (has("pids") && limits.pids > 0) {
      IA_TRY(write_text(file("pids", "pids.max"), std::to_string(limits.pids)));
      applied.push_back("pids");
    }
    if (has("cpu") && limits.cpus > 0) {
      CpuQuota quota = cpu_quota(limits.cpus);
      IA_TRY(write_text(file("cpu", "cpu.cfs_period_us"), std::to_string(quota.period_us)));
      IA_TRY(write_text(file("cpu", "cpu.cfs_quota_us"), std::to_string(quota.quota_us)));
      applied.push_back("cpu");
    }
    if (has("freezer")) applied.push_back("freezer");
    return {};
  }

  Status attach(pid_t pid) override {
    for (const auto& [controller, dir] : m_dirs) {
      IA_TRY(write_text(dir + "/cgroup.procs", std::to_string(pid)));
    }
    return {};
  }

  std::vector<std::string> self_join_files() const override {
    std::vector<std::string> files;
    for (const std::string& dir : paths()) {
      std::string file = dir + "/tasks";
      // cpu and cpuacct may share one directory: one write serves both.
      if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
    }
    return files;
  }

  std::string clone_into_dir() const override { return {}; }

  Status freeze() override { return set_freezer("FROZEN"); }
  Status thaw() override { return set_freezer("THAWED"); }

  Status kill_all() override {
    // Frozen while listing and signalling, so nothing forks in between; the kills land
    // on thaw. A few rounds cover tasks that were mid-fork when the freeze began.
    std::string procs = m_dirs.begin()->second + "/cgroup.procs";
    // Changing freezer state costs milliseconds; an empty cgroup needs none of it.
    if (read_pids(procs).empty()) return {};
    for (int round = 0; round < 20; ++round) {
      bool frozen = has("freezer") && freeze().ok();
      std::vector<pid_t> pids = read_pids(procs);
      for (pid_t pid : pids) ::kill(pid, SIGKILL);
      if (frozen) (void)thaw();
      if (pids.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return {};
  }

  CgroupUsage usage() const override {
    CgroupUsage usage;
    for (const char* controller : {"cpuacct", "cpu"}) {
      long long ns = 0;
      std::string text(trim(read_text(file(controller, "cpuacct.usage"))));
      if (has(controller) && parse_int64(text, ns)) {
        usage.cpu_ms = ns / 1000000;
        break;
      }
    }
    for (const std::string& line : split(read_text(file("memory", "memory.oom_control")), '\n')) {
      std::vector<std::string> fields = split_fields(line);
      if (fields.size() == 2 && fields[0] == "oom_kill" && fields[1] != "0")
        usage.oom_killed = true;
    }
    return usage;
  }

  Status remove() override {
    Status first;
    for (const auto& [controller, dir] : m_dirs) {
      Status removed = remove_dir_retrying(dir);
      if (!removed && first.ok()) first = removed;
    }
    return first;
  }

  std::vector<std::string> paths() const override {
    std::vector<std::string> out;
    for (const auto& [controller, dir] : m_dirs) out.push_back(dir);
    return out;
  }

 private:
  bool has(const std::string& controller) const { return m_dirs.count(controller) > 0; }
  std::string file(const std::string& controller, const std::string& name) const {
    auto it = m_dirs.find(controller);
    return it == m_dirs.end() ? std::string() : it->second + "/" + name;
  }
  Status set_freezer(const char* state) {
    if (!has("freezer")) return make_error(ErrorCode::unsupported, "no freezer controller");
    return write_text(file("freezer", "freezer.state"), state);
  }

  std::map<std::string, std::string> m_dirs;  // controller -> task directory
};

}  // namespace

Result<std::unique_ptr<Cgroup>> create_cgroup_v1(const std::map<std::string, std::string>& roots,
                                                 const std::string& parent,
                                                 const std::string& name) {
  std::map<std::string, std::string> dirs;
  auto undo = [&dirs] {
    for (const auto& [controller, dir] : dirs) ::rmdir(dir.c_str());
  };
  for (const auto& [controller, root] : roots) {
    // cpu and cpuacct often share one mount; one directory serves both.
    bool shared = false;
    for (const auto& [other, dir] : dirs) {
      if (roots.at(other) == root) {
        dirs[controller] = dir;
        shared = true;
      }
    }
    if (shared) continue;
    std::string top = root + "/" + parent;
    if (::mkdir(top.c_str(), 0755) != 0 && errno != EEXIST) {
      Error error = system_error("mkdir", top);
      undo();
      return error;
    }
    std::string dir = top + "/" + name;
    if (::mkdir(dir.c_str(), 0755) != 0) {
      Error error = system_error("mkdir", dir);
      undo();
      return error;
    }
    dirs[controller] = dir;
  }
  if (dirs.empty()) return make_error(ErrorCode::unsupported, "no cgroup v1 controller mounted");
  return std::unique_ptr<Cgroup>(new CgroupV1(std::move(dirs)));
}

}  // namespace ia::sandbox
