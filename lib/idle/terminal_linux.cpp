#include <sys/stat.h>
#include <utmp.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/strings.hpp"
#include "core/time.hpp"
#include "idle/input_linux.hpp"
#include "idle/procfs.hpp"

namespace ia::idle {

namespace {

std::string fixed_string(const char* text, std::size_t size) {
  return std::string(text, strnlen(text, size));
}

}  // namespace

InputSource terminal_input_source(const std::string& root) {
  InputSource source;
  source.name = "terminal";
  std::string path = root + "/run/utmp";
  Result<std::string> data = procfs::read_file(path);
  if (!data) {
    path = root + "/var/run/utmp";
    data = procfs::read_file(path);
  }
  if (!data) {
    source.detail = "no utmp login records (" + root + "/run/utmp)";
    return source;
  }
  std::vector<std::string> logins;
  std::int64_t now_ms = unix_now_ms();
  for (std::size_t at = 0; at + sizeof(struct utmp) <= data->size(); at += sizeof(struct utmp)) {
    struct utmp entry;
    std::memcpy(&entry, data->data() + at, sizeof entry);
    if (entry.ut_type != USER_PROCESS) continue;
    // A login whose process is gone left a stale record (a crashed sshd, a container).
    if (entry.ut_pid > 0) {
      struct stat proc {};
      if (::stat((root + "/proc/" + std::to_string(entry.ut_pid)).c_str(), &proc) != 0) continue;
    }
    std::string line = fixed_string(entry.ut_line, sizeof entry.ut_line);
    if (line.empty() || line.find("..") != std::string::npos) continue;
    struct stat tty {};
    if (::stat((root + "/dev/" + line).c_str(), &tty) != 0) continue;
    // The kernel moves a tty's atime on input, in steps of about 8 seconds (tty_io.c),
    // which is what w(1) shows as IDLE.
    std::int64_t atime_ms = static_cast<std::int64_t>(tty.st_atim.tv_sec) * 1000 +
                            tty.st_atim.tv_nsec / 1000000;
    std::int64_t idle = now_ms > atime_ms ? now_ms - atime_ms : 0;
    if (!source.idle_ms || idle < *source.idle_ms) source.idle_ms = idle;
    logins.push_back(fixed_string(entry.ut_user, sizeof entry.ut_user) + " on " + line);
  }
  if (logins.empty()) {
    source.detail = "no terminal logins in " + path;
    return source;
  }
  source.present = true;
  source.detail = "terminals: " + join(logins, ", ");
  return source;
}

}  // namespace ia::idle
