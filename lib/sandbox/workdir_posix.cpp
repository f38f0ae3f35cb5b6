#include "sandbox/workdir_posix.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "core/file.hpp"

namespace ia::sandbox {

namespace {

// Empties the directory open as fd; a task may have left a directory without write or
// search permission, so each subdirectory is opened up before it is entered.
void empty_dir(int fd) {
  DIR* stream = ::fdopendir(fd);
  if (!stream) {
    ::close(fd);
    return;
  }
  std::vector<std::string> dirs;
  while (const dirent* entry = ::readdir(stream)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (::unlinkat(::dirfd(stream), name.c_str(), 0) == 0) continue;
    if (errno == EISDIR || errno == EPERM) dirs.push_back(name);
  }
  for (const std::string& name : dirs) {
    ::fchmodat(::dirfd(stream), name.c_str(), 0700, AT_SYMLINK_NOFOLLOW);
    int child =
        ::openat(::dirfd(stream), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child >= 0) empty_dir(child);
    ::unlinkat(::dirfd(stream), name.c_str(), AT_REMOVEDIR);
  }
  ::closedir(stream);
}

}  // namespace

Result<std::string> make_temp_workdir(long owner_uid, long owner_gid) {
  const char* base = ::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/ia-sandbox-XXXXXX";
  if (!::mkdtemp(pattern.data())) return system_error("mkdtemp", pattern);
  if (owner_uid >= 0 &&
      ::chown(pattern.c_str(), static_cast<uid_t>(owner_uid), static_cast<gid_t>(owner_gid)) != 0) {
    Error error = system_error("chown", pattern);
    ::rmdir(pattern.c_str());
    return error;
  }
  return pattern;
}

Status write_task_files(const std::string& dir, const std::vector<TaskFile>& files) {
  for (const TaskFile& file : files) {
    std::string path = dir + "/" + file.name;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    file.executable ? 0755 : 0644);
    if (fd < 0) return system_error("create task file", path);
    Status written = write_all(fd, file.content, path);
    if (::close(fd) != 0 && written) return system_error("write task file", path);
    if (!written) return written;
  }
  return {};
}

Status remove_tree(const std::string& path) {
  ::chmod(path.c_str(), 0700);
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status{} : system_error("open", path);
  empty_dir(fd);
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return system_error("rmdir", path);
  return {};
}

}  // namespace ia::sandbox
