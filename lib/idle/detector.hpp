// idle::Detector: takes one look at the machine (input idle, CPU, memory, power, GPUs,
// processes) and returns Samples for idle::evaluate. Holds the platform sources and the
// NVML library across looks, so ia-idle --watch and ia-node pay to load them once.
// One Detector per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"
#include "core/units.hpp"
#include "idle/nvml.hpp"
#include "idle/platform.hpp"
#include "idle/sample.hpp"

namespace ia::idle {

struct DetectorOptions {
  std::string root;  // prefix for /proc and /sys ("" = the real ones)
  Millis cpu_window{250};  // 0: use the load average, no waiting
  // For a watcher that looks again and again (the node): the CPU figure runs from the
  // previous look (at least cpu_window ago) instead of waiting cpu_window in each look.
  bool cpu_running = false;
  std::string nvml_path = "libnvidia-ml.so.1";
  std::string own_cgroup = "ia";
  std::string dbus_system_address;  // "" = $DBUS_SYSTEM_BUS_ADDRESS or the standard one
  std::vector<std::string> busy_if_running;
  Checks checks;

  static DetectorOptions from_config(const config::Config& cfg);
};

// Parses "input,cpu,gpu" into Checks (each named signal on, the rest off).
Result<Checks> parse_checks(std::string_view list);

class Detector {
 public:
  explicit Detector(DetectorOptions options);
  ~Detector();
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  // One look. Fails only when the machine's basic counters cannot be read at all
  // (a wrong --root); a missing source is reported inside the Samples instead.
  Result<Samples> sample();

  const DetectorOptions& options() const { return m_options; }

 private:
  Result<CpuSample> sample_cpu(std::optional<std::vector<ProcessInfo>>& processes);
  struct CpuMark {
    std::int64_t at_ms = 0;  // steady clock
    CpuTimes times;
    double own_seconds = 0;
  };
  Result<CpuMark> cpu_mark(bool by_cgroup);
  GpuSample sample_gpu(const std::vector<ProcessInfo>* processes);
  ProcessSample sample_processes(const std::vector<ProcessInfo>& processes) const;

  DetectorOptions m_options;
  std::unique_ptr<Platform> m_platform;
  std::optional<CpuMark> m_cpu_mark;
  CpuSample m_cpu_last;
  std::optional<Nvml> m_nvml;
  std::string m_nvml_error;
  bool m_nvml_tried = false;
};

}  // namespace ia::idle
