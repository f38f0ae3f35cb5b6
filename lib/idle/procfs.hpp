// Parsers for the Linux /proc and /sys text files the idle signals read. Pure functions
// of the text (the caller reads the file through the root prefix), so fixture trees and
// hostile input test them directly. Thread safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ia::idle::procfs {

// The "cpu " line of /proc/stat, in clock ticks summed over CPUs.
struct StatTimes {
  std::uint64_t total = 0;  // user nice system idle iowait irq softirq steal
  std::uint64_t idle = 0;   // idle + iowait
};
Result<StatTimes> parse_stat(std::string_view text);

struct MemInfo {
  std::uint64_t total_bytes = 0;
  std::uint64_t available_bytes = 0;
};
Result<MemInfo> parse_meminfo(std::string_view text);

struct LoadAvg {
  double one_minute = 0;
};
Result<LoadAvg> parse_loadavg(std::string_view text);

// Number of CPUs from the "cpuN" lines of /proc/stat (at least 1).
int count_cpus(std::string_view stat_text);

// /proc/PID/stat: the command name may hold spaces and parentheses, so it is read up to
// the last ')'.
struct PidStat {
  std::string comm;
  char state = '?';
  std::uint64_t cpu_ticks = 0;  // utime + stime
};
Result<PidStat> parse_pid_stat(std::string_view text);

// Whether any line of /proc/PID/cgroup ("hier:controllers:/a/b") has a path component
// equal to name.
bool cgroup_has_component(std::string_view cgroup_text, std::string_view name);

// cgroup v2 cpu.stat "usage_usec N" in seconds.
std::optional<double> parse_cpu_stat_usage(std::string_view text);

// Reads a whole (small) file; an Error names the path and errno text.
Result<std::string> read_file(const std::string& path);

}  // namespace ia::idle::procfs
