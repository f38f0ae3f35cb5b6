#include "core/file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>

#include "core/units.hpp"

namespace ia {
namespace {

std::string parent_of(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return system_error("open", dir);
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) return system_error("fsync", dir, saved);
  return {};
}

Status write_replacing(const std::string& path, const std::string& data, int mode, bool sync) {
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  Result<int> created = create_new_file(temporary, mode, true);
  if (!created) return std::move(created).error();
  int fd = *created;
  Status written = write_all(fd, data, temporary);
  if (written && sync && ::fsync(fd) != 0) written = system_error("fsync", temporary);
  ::close(fd);
  if (written && ::rename(temporary.c_str(), path.c_str()) != 0) {
    written = system_error("rename", temporary + " to " + path);
  }
  if (!written) {
    ::unlink(temporary.c_str());
    return written;
  }
  return sync ? sync_directory(parent_of(path)) : Status();
}

}  // namespace

Result<int> create_new_file(const std::string& path, int mode, bool replace_planted) {
  constexpr int k_flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::open(path.c_str(), k_flags, mode);
  if (fd < 0 && errno == EEXIST && replace_planted) {
    // unlink removes a link itself, never its target; a directory is not ours to remove.
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return system_error("remove", path);
    fd = ::open(path.c_str(), k_flags, mode);
  }
  if (fd >= 0) return fd;
  if (errno == EEXIST) {
    return make_error(ErrorCode::io, "create " + path + ": something is already there",
                      "remove it; it was not made by this program");
  }
  return system_error("create", path);
}

Status restrict_mode(const std::string& path, int mode) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ELOOP) return {};
    return system_error("open", path);
  }
  struct stat info{};
  Status done;
  if (::fstat(fd, &info) != 0) {
    done = system_error("stat", path);
  } else if (S_ISREG(info.st_mode) && (info.st_mode & ~static_cast<mode_t>(mode) & 07777)) {
    if (::fchmod(fd, info.st_mode & static_cast<mode_t>(mode) & 07777) != 0) {
      done = system_error("chmod", path);
    }
  }
  ::close(fd);
  return done;
}

Status write_all(int fd, const std::string& data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return system_error("write", path);
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<std::string> read_all(int fd, const std::string& name, std::size_t max_bytes) {
  std::string data;
  char buffer[65536];
  while (data.size() <= max_bytes) {
    // One byte past the limit is enough to know the input is too large.
    std::size_t room = max_bytes - data.size();
    std::size_t want = room < sizeof buffer ? room + 1 : sizeof buffer;
    ssize_t n = ::read(fd, buffer, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return system_error("read", name);
    if (n == 0) return data;
    data.append(buffer, static_cast<std::size_t>(n));
  }
  return make_error(ErrorCode::payload_too_large,
                    name + " is larger than the limit of " + format_bytes(max_bytes));
}

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return system_error("open", path);
  Result<std::string> data = read_all(fd, path, max_bytes);
  ::close(fd);
  return data;
}

Result<std::string> read_file(const std::string& path) {
  return read_file(path, std::numeric_limits<std::size_t>::max());
}

Status write_file_durably(const std::string& path, const std::string& data, int mode) {
  return write_replacing(path, data, mode, true);
}

Status replace_file(const std::string& path, const std::string& data, int mode) {
  return write_replacing(path, data, mode, false);
}

Status make_directories(const std::string& path, int mode) {
  if (path.empty()) return {};
  std::size_t at = 0;
  while (at != std::string::npos) {
    at = path.find('/', at + 1);
    std::string prefix = path.substr(0, at);
    if (prefix.empty()) continue;
    if (::mkdir(prefix.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST) {
      return system_error("mkdir", prefix);
    }
  }
  struct stat info{};
  if (::stat(path.c_str(), &info) != 0) return system_error("stat", path);
  if (!S_ISDIR(info.st_mode)) {
    return make_error(ErrorCode::invalid_argument, path + " exists and is not a directory");
  }
  return {};
}

Result<std::vector<std::string>> list_directory(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return system_error("opendir", path);
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

Status remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return system_error("unlink", path);
  return {};
}

}  // namespace ia
