// The idle policy: thresholds from [idle] in ia.toml and flags, and evaluate(), which
// turns Samples into a Verdict with one entry per signal and per GPU. Pure functions of
// their inputs (no I/O, no clock); safe to call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"
#include "core/units.hpp"
#include "idle/sample.hpp"

namespace ia::idle {

// A local time-of-day window, "22:00-07:00"; it may wrap past midnight.
struct TimeWindow {
  int start_minute = 0;
  int end_minute = 0;
  bool contains(int minute) const;
  std::string text() const;
};

Result<TimeWindow> parse_time_window(std::string_view text);

struct Policy {
  Millis idle_time{5 * 60 * 1000};
  double max_cpu = 20;
  double max_memory = 90;
  double max_gpu = 10;
  std::uint64_t max_gpu_memory = 256ull << 20;
  bool require_ac = false;
  std::vector<std::string> busy_if_running;
  std::optional<TimeWindow> only_between;
  // Hysteresis, for watchers over time (steadiness.hpp): CPU load counts once it lasts
  // this long; after busy, idle must last resume_after before work goes on.
  Millis cpu_busy_for{10 * 1000};
  Millis resume_after{10 * 1000};

  static Result<Policy> from_config(const config::Config& cfg);
};

// One signal's answer: its value, the threshold it was held against, and why.
struct Signal {
  std::string name;  // input, cpu, memory, power, gpu, processes, time
  bool present = false;
  bool busy = false;
  std::optional<double> value;
  std::optional<double> threshold;
  std::string unit;    // "ms", "%", "bytes", ""
  std::string source;  // where the value came from
  std::string reason;  // one human sentence: why idle or busy
};

struct GpuVerdict {
  unsigned index = 0;
  std::string name;
  bool busy = false;
  std::uint64_t others_memory = 0;  // held by processes that are not ia's own
  bool has_own = false;             // ia's own processes run on it
  std::vector<std::string> reasons;
};

struct Verdict {
  bool idle = true;
  std::vector<Signal> signals;
  std::vector<GpuVerdict> gpus;
  // The reasons the machine is busy (empty when idle).
  std::vector<std::string> busy_reasons() const;
};

Verdict evaluate(const Policy& policy, const Samples& samples);

}  // namespace ia::idle
