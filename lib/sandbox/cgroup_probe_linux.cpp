#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/strings.hpp"
#include "sandbox/cgroup.hpp"

namespace ia::sandbox {

namespace {

// mountinfo fields: id parent major:minor root mountpoint options [optional...] - type source super
struct MountLine {
  std::string mount_point, type, super_options;
};

std::vector<MountLine> parse_mountinfo(const std::string& text) {
  std::vector<MountLine> mounts;
  for (const std::string& line : split(text, '\n')) {
    std::vector<std::string> fields = split_fields(line);
    auto dash = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || dash == fields.end() || fields.end() - dash < 4) continue;
    mounts.push_back({fields[4], *(dash + 1), *(dash + 3)});
  }
  return mounts;
}

void remove_plain_files(const std::string& dir) {
  DIR* stream = ::opendir(dir.c_str());
  if (!stream) return;
  while (const dirent* entry = ::readdir(stream)) {
    if (entry->d_type == DT_REG) ::unlinkat(::dirfd(stream), entry->d_name, 0);
  }
  ::closedir(stream);
}

}  // namespace

CgroupLayout probe_layout(const std::string& mountinfo, const std::string& self_cgroup,
                          const std::function<std::string(const std::string&)>& read) {
  CgroupLayout layout;
  for (const MountLine& mount : parse_mountinfo(mountinfo)) {
    if (mount.type == "cgroup2") {
      if (layout.v2_mount.empty()) layout.v2_mount = mount.mount_point;
      std::vector<std::string> controllers =
          split_fields(trim(read(mount.mount_point + "/cgroup.controllers")));
      if (std::find(controllers.begin(), controllers.end(), "memory") != controllers.end() &&
          layout.v2_root.empty()) {
        layout.v2_root = mount.mount_point;
      }
    } else if (mount.type == "cgroup") {
      for (const std::string& option : split(mount.super_options, ',')) {
        if (option == "memory" || option == "pids" || option == "cpu" || option == "cpuacct" ||
            option == "freezer") {
          layout.v1_roots.emplace(option, mount.mount_point);
        }
      }
    }
  }
  for (const std::string& line : split(self_cgroup, '\n')) {
    if (starts_with(line, "0::")) layout.own_path = std::string(trim(line.substr(3)));
  }
  if (!layout.v2_root.empty()) {
    layout.version = CgroupLayout::Version::v2;
  } else if (layout.v1_roots.count("memory") || layout.v1_roots.count("pids")) {
    layout.version = CgroupLayout::Version::v1;
  }
  return layout;
}

void choose_version(CgroupLayout& layout, CgroupMode mode) {
  using Version = CgroupLayout::Version;
  switch (mode) {
    case CgroupMode::automatic:
      return;
    case CgroupMode::v2:
      if (layout.v2_root.empty()) layout.v2_root = layout.v2_mount;
      layout.version = layout.v2_root.empty() ? Version::none : Version::v2;
      return;
    case CgroupMode::v1:
      layout.version = layout.v1_roots.count("memory") || layout.v1_roots.count("pids")
                           ? Version::v1
                           : Version::none;
      return;
    case CgroupMode::off:
      layout.version = Version::none;
      return;
  }
}

CgroupLayout probe_system_layout() {
  return probe_layout(read_text("/proc/self/mountinfo"), read_text("/proc/self/cgroup"),
                      [](const std::string& path) { return read_text(path); });
}

void keep_needed_controllers(CgroupLayout& layout, const Limits& limits, bool freezer) {
  if (!freezer) layout.v1_roots.erase("freezer");
  if (limits.memory == 0) layout.v1_roots.erase("memory");
  if (limits.pids == 0) layout.v1_roots.erase("pids");
  if (limits.cpus <= 0) layout.v1_roots.erase("cpu");
  if (limits.cpu_time.count() == 0) layout.v1_roots.erase("cpuacct");
}

Result<std::unique_ptr<Cgroup>> create_cgroup(const CgroupLayout& layout, const std::string& parent,
                                              const std::string& name) {
  switch (layout.version) {
    case CgroupLayout::Version::v2: {
      Result<std::unique_ptr<Cgroup>> made = create_cgroup_v2(layout.v2_root, parent, name);
      // Without rights at the top, a delegated subtree (systemd user slices) may allow it.
      if (!made && !layout.own_path.empty() && layout.own_path != "/") {
        std::string own = layout.v2_root + layout.own_path;
        Result<std::unique_ptr<Cgroup>> delegated = create_cgroup_v2(own, parent, name);
        if (delegated) return delegated;
      }
      return made;
    }
    case CgroupLayout::Version::v1:
      return create_cgroup_v1(layout.v1_roots, parent, name);
    case CgroupLayout::Version::none:
      break;
  }
  return make_error(ErrorCode::unsupported, "no cgroup memory or pids controller is mounted");
}

CpuQuota cpu_quota(double cpus) {
  constexpr long k_period_us = 100'000, k_longest_period_us = 1'000'000, k_least_quota_us = 1000;
  CpuQuota quota{std::lround(cpus * k_period_us), k_period_us};
  if (quota.quota_us < k_least_quota_us) {
    quota.period_us = k_longest_period_us;
    quota.quota_us = std::max(k_least_quota_us, std::lround(cpus * k_longest_period_us));
  }
  return quota;
}

Status write_text(const std::string& path, const std::string& text) {
  // O_CREAT is harmless on cgroupfs (the files exist) and lets tests use plain directories.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return system_error("open", path);
  ssize_t written = ::write(fd, text.data(), text.size());
  int err = errno;
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size())) return system_error("write", path, err);
  return {};
}

std::string read_text(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return text;
}

std::vector<pid_t> read_pids(const std::string& path) {
  std::vector<pid_t> pids;
  for (const std::string& field : split_fields(read_text(path))) {
    for (const std::string& item : split(field, '\n')) {
      long long pid = 0;
      if (parse_int64(trim(item), pid) && pid > 0) pids.push_back(static_cast<pid_t>(pid));
    }
  }
  return pids;
}

Status remove_dir_now(const std::string& path) {
  if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return {};
  if (errno == ENOTEMPTY) {
    // Only plain directories (test trees) say this; cgroupfs answers EBUSY instead.
    remove_plain_files(path);
    if (::rmdir(path.c_str()) == 0) return {};
  }
  return system_error("rmdir", path);
}

Status remove_dir_retrying(const std::string& path) {
  // The kernel drops exited tasks from a cgroup a moment after they are reaped.
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return {};
    if (errno == ENOTEMPTY && attempt == 0) {
      // Only plain directories (test trees) say this; cgroupfs answers EBUSY instead.
      remove_plain_files(path);
      continue;
    }
    if (errno != EBUSY || attempt >= 2000) return system_error("rmdir", path);
    // Usually free within a fraction of a millisecond; short naps keep start-up cheap.
    std::this_thread::sleep_for(std::chrono::microseconds(attempt < 50 ? 100 : 1000));
  }
}

}  // namespace ia::sandbox
