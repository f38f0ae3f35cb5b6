// Stale task cgroups: an owner killed with SIGKILL cannot remove its cgroups, and its
// tasks die with it (parent-death signal), so they stay behind empty. Every start sweeps
// them, while its own child sets up. The owner is named by pid and start time, so neither
// a live sandbox nor a pid that was reused by another process is mistaken for a dead one.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "core/strings.hpp"
#include "sandbox/cgroup.hpp"

namespace ia::sandbox {

namespace {

constexpr std::string_view k_task_prefix = "task-";

bool parse_number(std::string_view text, std::uint64_t& value) {
  if (text.empty()) return false;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  return err == std::errc() && end == text.data() + text.size();
}

// Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and ')'.
std::optional<std::uint64_t> start_time_of(const std::string& stat_path) {
  std::vector<std::string> fields = proc_stat_fields(read_text(stat_path));
  std::uint64_t start = 0;
  if (fields.size() <= proc_stat_index(22) || !parse_number(fields[proc_stat_index(22)], start)) {
    return std::nullopt;
  }
  return start;
}

}  // namespace

std::string task_cgroup_name(const CgroupOwner& owner, unsigned seq) {
  return std::string(k_task_prefix) + std::to_string(owner.pid) + "-" +
         std::to_string(owner.start_time) + "-" + std::to_string(seq);
}

std::optional<CgroupOwner> parse_task_cgroup_name(std::string_view name) {
  if (!starts_with(name, k_task_prefix)) return std::nullopt;
  std::vector<std::string> parts = split(name.substr(k_task_prefix.size()), '-');
  std::uint64_t pid = 0, start = 0, seq = 0;
  if (parts.size() != 3 || !parse_number(parts[0], pid) || !parse_number(parts[1], start) ||
      !parse_number(parts[2], seq) || pid == 0 || pid > 0x3fffffff) {
    return std::nullopt;
  }
  return CgroupOwner{static_cast<pid_t>(pid), start};
}

CgroupOwner current_owner() {
  return {::getpid(), start_time_of("/proc/self/stat").value_or(0)};
}

bool owner_alive(const CgroupOwner& owner) {
  std::optional<std::uint64_t> start = start_time_of("/proc/" + std::to_string(owner.pid) + "/stat");
  return start && *start == owner.start_time;
}

std::vector<std::string> task_parent_dirs(const CgroupLayout& layout, const std::string& parent) {
  std::vector<std::string> dirs;
  for (const auto& [controller, root] : layout.v1_roots) dirs.push_back(root + "/" + parent);
  // Every cgroup2 mount, whichever version this task uses: an earlier one may have
  // used the other (sandbox.cgroups).
  for (const std::string& root : {layout.v2_root, layout.v2_mount}) {
    if (root.empty()) continue;
    dirs.push_back(root + "/" + parent);
    if (!layout.own_path.empty() && layout.own_path != "/") {
      dirs.push_back(root + layout.own_path + "/" + parent);
    }
  }
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  return dirs;
}

std::vector<std::string> sweep_stale_cgroups(
    const std::vector<std::string>& dirs, const std::function<bool(const CgroupOwner&)>& alive) {
  std::vector<std::string> removed;
  // The same task appears under every controller; ask about each owner once.
  std::map<std::pair<pid_t, std::uint64_t>, bool> known;
  auto gone = [&](const CgroupOwner& owner) {
    auto [it, added] = known.try_emplace({owner.pid, owner.start_time}, false);
    if (added) it->second = !alive(owner);
    return it->second;
  };
  for (const std::string& dir : dirs) {
    DIR* stream = ::opendir(dir.c_str());
    if (!stream) continue;
    std::vector<std::string> stale;
    while (const dirent* entry = ::readdir(stream)) {
      if (entry->d_type != DT_DIR) continue;
      std::optional<CgroupOwner> owner = parse_task_cgroup_name(entry->d_name);
      if (owner && gone(*owner)) stale.push_back(dir + "/" + entry->d_name);
    }
    ::closedir(stream);
    for (const std::string& path : stale) {
      if (read_pids(path + "/cgroup.procs").empty() && remove_dir_now(path).ok()) {
        removed.push_back(path);
      }
    }
  }
  return removed;
}

}  // namespace ia::sandbox
