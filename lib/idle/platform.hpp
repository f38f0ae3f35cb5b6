// The platform sources of idle signals: one interface, one implementation per platform
// (platform_linux.cpp, platform_windows.cpp, platform_macos.cpp; CMake compiles one).
// A Platform is used by one thread at a time. This header and the platform files use
// only the standard library and core/ (the Windows file is compile-checked with mingw).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "idle/sample.hpp"

namespace ia::idle {

struct PlatformOptions {
  std::string root;        // prefix for /proc, /sys, /dev and utmp reads ("" = the real ones)
  std::string own_cgroup;  // cgroup path component naming ia's own tasks
  std::string dbus_system_address;  // "" = DBUS_SYSTEM_BUS_ADDRESS or the standard socket
};

// Cumulative CPU time of the whole machine, summed over CPUs.
struct CpuTimes {
  double total_seconds = 0;
  double idle_seconds = 0;
};

class Platform {
 public:
  virtual ~Platform() = default;

  // Every input source the platform knows, present or not, with its idle time.
  virtual std::vector<InputSource> input_sources() = 0;
  virtual Result<CpuTimes> cpu_times() = 0;
  // CPU seconds used so far by ia's own tasks, from their cgroup's accounting file;
  // empty when no such cgroup exists (then own processes are summed instead).
  virtual std::optional<double> own_cgroup_cpu_seconds() = 0;
  // Whether a cgroup for ia's own tasks exists at all (cheap; decides whether a process
  // listing is worth making when nothing else needs one).
  virtual bool own_cgroup_exists() = 0;
  // 1-minute load average as a percent of all CPUs, minus own runnable processes.
  virtual Result<double> load_percent(const std::vector<ProcessInfo>& processes) = 0;
  virtual MemorySample memory() = 0;
  virtual PowerSample power() = 0;
  virtual Result<std::vector<ProcessInfo>> processes() = 0;
  // Clock ticks per second of ProcessInfo::cpu_ticks.
  virtual double ticks_per_second() const = 0;
  // Name and ownership of one process (for GPU process lists).
  virtual ProcessInfo process(std::uint32_t pid) = 0;
};

std::unique_ptr<Platform> make_platform(const PlatformOptions& options);

// Minutes since local midnight at unix_ms (for only_between); localtime_r or localtime_s.
int local_minute_of(std::int64_t unix_ms);

}  // namespace ia::idle
