// What one look at the machine found: raw measurements from every idle signal, before
// any policy is applied. Filled by idle::Detector (detector.hpp); plain values, safe to
// copy between threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ia::idle {

// One source of "when did a person last touch this machine" (x11, logind, terminal).
struct InputSource {
  std::string name;
  bool present = false;                 // the source could be asked at all
  std::optional<std::int64_t> idle_ms;  // empty when present but nobody is there
  bool locked = false;                  // every session this source saw is locked
  std::string detail;                   // what was asked, or why it is absent
};

struct CpuSample {
  bool present = false;
  double busy_percent = 0;  // all CPUs together, ia's own tasks already subtracted
  double own_percent = 0;   // the part taken by ia's own tasks
  std::int64_t window_ms = 0;  // 0: from the load average
  std::string source;
  std::string detail;
};

struct MemorySample {
  bool present = false;
  std::uint64_t total_bytes = 0;
  std::uint64_t available_bytes = 0;
  std::uint64_t own_bytes = 0;  // charged to ia's own tasks' cgroup; not the owner's use
  std::string source;
  std::string detail;
  // In use by others than ia's own tasks, in percent of the total.
  double used_percent() const {
    if (total_bytes == 0) return 0;
    std::uint64_t used = total_bytes - std::min(available_bytes, total_bytes);
    used -= std::min(own_bytes, used);
    return 100.0 * static_cast<double>(used) / static_cast<double>(total_bytes);
  }
};

struct PowerSample {
  bool present = false;  // false: no power supply information (a desktop, usually)
  bool on_battery = false;
  std::string source;
  std::string detail;
};

struct GpuProcess {
  std::uint32_t pid = 0;
  std::string name;
  std::optional<std::uint64_t> memory_bytes;  // empty when the driver does not say
  bool own = false;                           // one of ia's own tasks
};

struct GpuDevice {
  unsigned index = 0;
  std::string name;
  std::optional<unsigned> utilization;  // percent; empty when not supported
  std::uint64_t memory_used = 0;
  std::uint64_t memory_total = 0;
  std::vector<GpuProcess> processes;
  std::string detail;  // errors for single queries on this device
};

struct GpuSample {
  bool present = false;  // a driver answered; no driver or no GPU is a normal answer
  std::string source;
  std::string detail;
  std::vector<GpuDevice> devices;
};

// A process running on the machine, as much as the platform can say about it.
struct ProcessInfo {
  std::uint32_t pid = 0;
  std::string name;  // comm on Linux (15 characters at most), image name on Windows
  std::string exe;   // basename of argv[0] where known
  bool own = false;  // belongs to ia's own tasks
  char state = '?';
  std::uint64_t cpu_ticks = 0;  // user + system, in the platform's clock ticks
};

struct ProcessSample {
  bool checked = false;
  std::vector<std::string> running;  // busy_if_running names found, each once
  std::string source;
};

// Which signals a look includes (ia-idle --only); each costs something to sample.
struct Checks {
  bool input = true;
  bool cpu = true;
  bool memory = true;
  bool power = true;
  bool gpu = true;
  bool processes = true;
  bool time = true;
};

struct Samples {
  std::int64_t unix_ms = 0;
  int local_minute = 0;  // minutes since local midnight, for only_between
  Checks checks;
  std::vector<InputSource> input;
  CpuSample cpu;
  MemorySample memory;
  PowerSample power;
  GpuSample gpu;
  ProcessSample processes;
};

}  // namespace ia::idle
