#include "sandbox/plan_linux.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

#include "core/strings.hpp"

namespace ia::sandbox {

namespace {

// System directories a program needs; on merged-/usr systems most are symlinks into /usr.
constexpr const char* k_system_dirs[] = {"/usr",   "/bin",   "/sbin",  "/lib",
                                         "/lib32", "/lib64", "/libx32"};

// The parts of /etc that programs read. Not shadow, sudoers, ssh keys or anything else.
constexpr const char* k_etc_entries[] = {
    "ld.so.cache",     "ld.so.conf",    "ld.so.conf.d",   "localtime",   "alternatives", "ssl",
    "ca-certificates", "nsswitch.conf", "hosts",          "resolv.conf", "protocols",    "services",
    "mime.types",      "os-release",    "debian_version", "host.conf",   "gai.conf",     "python3",
    "python3.11",      "timezone",      "locale.alias",   "bash.bashrc", "profile",      "inputrc"};

constexpr const char* k_dev_nodes[] = {"null", "zero", "full", "random", "urandom"};

// Host path kinds: a symlink is re-created (cheap, and it resolves inside the new root);
// a small regular file is copied (a write costs a few microseconds, a read-only bind three
// system calls and a mount to tear down at exit); anything else is bound.
enum class PathKind { missing, symlink, small_file, other };

// Larger files (mime.types) cost more to copy through two processes than to bind.
constexpr off_t k_copy_limit = 16 * 1024;

PathKind kind_of(const std::string& path, std::string& content) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return PathKind::missing;
  if (S_ISLNK(info.st_mode)) {
    char buffer[PATH_MAX];
    ssize_t n = ::readlink(path.c_str(), buffer, sizeof buffer - 1);
    if (n < 0) return PathKind::missing;
    content.assign(buffer, static_cast<size_t>(n));
    return PathKind::symlink;
  }
  if (!S_ISREG(info.st_mode) || info.st_size > k_copy_limit) return PathKind::other;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PathKind::other;
  content.resize(static_cast<size_t>(info.st_size));
  ssize_t n = ::read(fd, content.data(), content.size());
  ::close(fd);
  if (n != info.st_size) return PathKind::other;  // changing under us: bind it instead
  return PathKind::small_file;
}

void add_host_path(std::vector<MountOp>& ops, const std::string& host, const std::string& target,
                   bool copy_small_files) {
  std::string content;
  switch (kind_of(host, content)) {
    case PathKind::missing:
      return;
    case PathKind::symlink:
      ops.push_back({MountOp::Kind::symlink, std::move(content), target});
      return;
    case PathKind::small_file:
      if (copy_small_files) {
        ops.push_back({MountOp::Kind::file, std::move(content), target});
        return;
      }
      [[fallthrough]];
    case PathKind::other:
      ops.push_back({MountOp::Kind::bind_ro, host, target});
      return;
  }
}

std::string passwd_text(unsigned uid, unsigned gid) {
  return "root:x:0:0:root:/root:/bin/sh\n"
         "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
         "task:x:" +
         std::to_string(uid) + ":" + std::to_string(gid) + ":task:/task:/bin/sh\n";
}

std::string group_text(unsigned gid) {
  return "root:x:0:\nnogroup:x:65534:\ntask:x:" + std::to_string(gid) + ":\n";
}

void add_dev(std::vector<MountOp>& ops, const std::string& root, const Spec& spec,
             const std::vector<std::string>& gpu_devices) {
  ops.push_back({MountOp::Kind::dir, "", root + "/dev"});
  for (const char* node : k_dev_nodes) {
    ops.push_back({MountOp::Kind::bind_dev, std::string("/dev/") + node, root + "/dev/" + node});
  }
  for (const std::string& device : gpu_devices) {
    std::string name = device.substr(device.rfind('/') + 1);
    ops.push_back({MountOp::Kind::bind_dev, device, root + "/dev/" + name});
  }
  ops.push_back({MountOp::Kind::symlink, "/proc/self/fd", root + "/dev/fd"});
  ops.push_back({MountOp::Kind::symlink, "/proc/self/fd/0", root + "/dev/stdin"});
  ops.push_back({MountOp::Kind::symlink, "/proc/self/fd/1", root + "/dev/stdout"});
  ops.push_back({MountOp::Kind::symlink, "/proc/self/fd/2", root + "/dev/stderr"});
  std::string shm_size = spec.limits.tmp_size > 0 ? std::to_string(spec.limits.tmp_size) : "64m";
  ops.push_back({MountOp::Kind::tmpfs, "mode=1777,size=" + shm_size, root + "/dev/shm"});
}

}  // namespace

Result<std::vector<std::string>> gpu_device_paths(const std::string& dev_dir,
                                                  const std::vector<int>& gpus) {
  std::vector<std::string> paths;
  if (gpus.empty()) return paths;
  for (int gpu : gpus) {
    std::string node = dev_dir + "/nvidia" + std::to_string(gpu);
    if (::access(node.c_str(), F_OK) != 0) {
      return make_error(
          ErrorCode::unsupported,
          "GPU " + std::to_string(gpu) + " was asked for but " + node + " does not exist",
          "list the GPUs with nvidia-smi -L, or leave out --gpu");
    }
    paths.push_back(node);
  }
  for (const char* shared : {"nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset"}) {
    std::string node = dev_dir + "/" + shared;
    if (::access(node.c_str(), F_OK) == 0) paths.push_back(node);
  }
  return paths;
}

std::string staging_dir(const std::vector<std::string>& sources) {
  for (const char* candidate : {"/tmp", "/mnt", "/media", "/srv", "/opt", "/run"}) {
    std::string dir = candidate;
    bool hides = std::any_of(sources.begin(), sources.end(), [&dir](const std::string& path) {
      return path == dir || starts_with(path, dir + "/");
    });
    struct stat info {};
    if (!hides && ::lstat(candidate, &info) == 0 && S_ISDIR(info.st_mode)) return dir;
  }
  return {};
}

std::vector<MountOp> root_mounts(const Spec& spec, const std::string& root,
                                 const std::string& workdir,
                                 const std::vector<std::string>& gpu_devices, unsigned uid,
                                 unsigned gid) {
  std::vector<MountOp> ops;
  for (const char* dir : k_system_dirs) add_host_path(ops, dir, root + dir, false);
  ops.push_back({MountOp::Kind::dir, "", root + "/etc"});
  for (const char* entry : k_etc_entries) {
    add_host_path(ops, std::string("/etc/") + entry, root + "/etc/" + entry, true);
  }
  ops.push_back({MountOp::Kind::file, passwd_text(uid, gid), root + "/etc/passwd"});
  ops.push_back({MountOp::Kind::file, group_text(gid), root + "/etc/group"});
  ops.push_back({MountOp::Kind::file, "ia-sandbox\n", root + "/etc/hostname"});
  add_dev(ops, root, spec, gpu_devices);
  ops.push_back({MountOp::Kind::proc, "", root + "/proc"});
  std::string tmp_size = spec.limits.tmp_size > 0 ? std::to_string(spec.limits.tmp_size) : "256m";
  ops.push_back({MountOp::Kind::tmpfs, "mode=1777,size=" + tmp_size, root + "/tmp"});
  if (workdir.empty()) {
    // A private working directory lives and dies with the mount namespace: nothing to
    // create or remove on the host (an ext4 rmdir alone can cost milliseconds), and its
    // pages count against the task's memory limit.
    ops.push_back({MountOp::Kind::tmpfs,
                   "mode=0700,uid=" + std::to_string(uid) + ",gid=" + std::to_string(gid) +
                       ",size=" + tmp_size,
                   root + k_task_dir});
    for (const TaskFile& file : spec.files) {
      ops.push_back({MountOp::Kind::file, file.content, root + k_task_dir + "/" + file.name,
                     static_cast<mode_t>(file.executable ? 0755 : 0644)});
    }
  } else {
    ops.push_back({MountOp::Kind::bind_rw, workdir, root + k_task_dir});
  }
  return ops;
}

Limits with_init(const Limits& limits) {
  Limits counted = limits;
  if (counted.pids > 0) counted.pids += 1;
  return counted;
}

std::vector<std::pair<int, rlimit>> task_rlimits(const Limits& limits, bool cgroup_memory,
                                                 bool cgroup_pids) {
  std::vector<std::pair<int, rlimit>> out;
  auto add = [&out](int resource, rlim_t soft, rlim_t hard) {
    out.push_back({resource, rlimit{soft, hard}});
  };
  add(RLIMIT_CORE, 0, 0);
  if (limits.open_files > 0) add(RLIMIT_NOFILE, limits.open_files, limits.open_files);
  if (limits.file_size > 0) add(RLIMIT_FSIZE, limits.file_size, limits.file_size);
  if (limits.cpu_time.count() > 0) {
    // Soft limit sends SIGXCPU at the limit, the hard one SIGKILL a second later.
    rlim_t seconds = static_cast<rlim_t>((limits.cpu_time.count() + 999) / 1000);
    add(RLIMIT_CPU, seconds, seconds + 1);
  }
  if (!cgroup_memory && limits.memory > 0) add(RLIMIT_AS, limits.memory, limits.memory);
  if (!cgroup_pids && limits.pids > 0) add(RLIMIT_NPROC, limits.pids, limits.pids);
  return out;
}

void fill_command(const Spec& spec, ChildPlan& plan) {
  plan.argv_storage = spec.argv;
  plan.env_storage = spec.env;
  if (!spec.gpus.empty()) {
    // Only the asked-for device nodes exist inside, so the driver numbers them from 0.
    std::vector<std::string> visible;
    for (size_t i = 0; i < spec.gpus.size(); ++i) visible.push_back(std::to_string(i));
    plan.env_storage.push_back("CUDA_VISIBLE_DEVICES=" + join(visible, ","));
  }
  plan.path_dirs = search_path(spec.env);
  plan.argv.clear();
  for (std::string& arg : plan.argv_storage) plan.argv.push_back(arg.data());
  plan.argv.push_back(nullptr);
  plan.envp.clear();
  for (std::string& entry : plan.env_storage) plan.envp.push_back(entry.data());
  plan.envp.push_back(nullptr);
}

}  // namespace ia::sandbox
