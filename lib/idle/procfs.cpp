#include "idle/procfs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "core/strings.hpp"

namespace ia::idle::procfs {

namespace {

Error bad(std::string_view file, std::string_view why) {
  return make_error(ErrorCode::io, "cannot read " + std::string(file) + ": " + std::string(why),
                    "is /proc mounted (or --root pointing at a proc tree)?");
}

bool parse_u64(std::string_view text, std::uint64_t& out) {
  long long value = 0;
  if (!parse_int64(text, value) || value < 0) return false;
  out = static_cast<std::uint64_t>(value);
  return true;
}

}  // namespace

Result<StatTimes> parse_stat(std::string_view text) {
  std::string_view line = text.substr(0, text.find('\n'));
  std::vector<std::string> fields = split_fields(line);
  if (fields.size() < 5 || fields[0] != "cpu") return bad("/proc/stat", "no 'cpu' line");
  StatTimes times;
  // Fields 9 and 10 (guest, guest_nice) are already part of user and nice.
  for (std::size_t i = 1; i < fields.size() && i <= 8; ++i) {
    std::uint64_t value = 0;
    if (!parse_u64(fields[i], value)) return bad("/proc/stat", "bad number '" + fields[i] + "'");
    times.total += value;
    if (i == 4 || i == 5) times.idle += value;
  }
  return times;
}

int count_cpus(std::string_view stat_text) {
  int count = 0;
  for (const std::string& line : split(stat_text, '\n')) {
    if (line.size() > 3 && starts_with(line, "cpu") && line[3] >= '0' && line[3] <= '9') ++count;
  }
  return count > 0 ? count : 1;
}

Result<MemInfo> parse_meminfo(std::string_view text) {
  MemInfo info;
  bool total = false, available = false;
  for (const std::string& line : split(text, '\n')) {
    std::vector<std::string> fields = split_fields(line);
    if (fields.size() < 2) continue;
    std::uint64_t kib = 0;
    if (!parse_u64(fields[1], kib)) continue;
    if (fields[0] == "MemTotal:") info.total_bytes = kib * 1024, total = true;
    if (fields[0] == "MemAvailable:") info.available_bytes = kib * 1024, available = true;
  }
  if (!total || !available || info.total_bytes == 0)
    return bad("/proc/meminfo", "no MemTotal or MemAvailable (Linux 3.14 or later needed)");
  if (info.available_bytes > info.total_bytes) info.available_bytes = info.total_bytes;
  return info;
}

Result<LoadAvg> parse_loadavg(std::string_view text) {
  std::vector<std::string> fields = split_fields(text);
  if (fields.empty()) return bad("/proc/loadavg", "empty");
  char* end = nullptr;
  double value = std::strtod(fields[0].c_str(), &end);
  if (end == fields[0].c_str() || *end != '\0' || value < 0)
    return bad("/proc/loadavg", "bad number '" + fields[0] + "'");
  return LoadAvg{value};
}

Result<PidStat> parse_pid_stat(std::string_view text) {
  std::size_t open = text.find('(');
  std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return bad("/proc/PID/stat", "no command name");
  PidStat stat;
  stat.comm = std::string(text.substr(open + 1, close - open - 1));
  std::vector<std::string> fields = proc_stat_fields(text);
  if (fields.size() <= proc_stat_index(15) || fields[proc_stat_index(3)].size() != 1)
    return bad("/proc/PID/stat", "too few fields");
  stat.state = fields[proc_stat_index(3)][0];
  std::uint64_t utime = 0, stime = 0;
  if (!parse_u64(fields[proc_stat_index(14)], utime) ||
      !parse_u64(fields[proc_stat_index(15)], stime))
    return bad("/proc/PID/stat", "bad utime or stime");
  stat.cpu_ticks = utime + stime;
  return stat;
}

bool cgroup_has_component(std::string_view cgroup_text, std::string_view name) {
  if (name.empty()) return false;
  for (const std::string& line : split(cgroup_text, '\n')) {
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    colon = line.find(':', colon + 1);
    if (colon == std::string::npos) continue;
    for (const std::string& part : split(std::string_view(line).substr(colon + 1), '/')) {
      if (part == name) return true;
    }
  }
  return false;
}

std::optional<double> parse_cpu_stat_usage(std::string_view text) {
  for (const std::string& line : split(text, '\n')) {
    std::vector<std::string> fields = split_fields(line);
    std::uint64_t usec = 0;
    if (fields.size() == 2 && fields[0] == "usage_usec" && parse_u64(fields[1], usec))
      return static_cast<double>(usec) / 1e6;
  }
  return std::nullopt;
}

Result<std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return system_error("open", path);
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      Error error = system_error("read", path);
      ::close(fd);
      return error;
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > (1u << 20)) break;  // no /proc or /sys file we read is this big
  }
  ::close(fd);
  return text;
}

}  // namespace ia::idle::procfs
