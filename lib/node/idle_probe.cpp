#include "node/idle_probe.hpp"

#include <unistd.h>

#include <algorithm>

#include "core/strings.hpp"

namespace ia::node {

void IdleProbe::watch_input(std::function<void()> on_input) {
  m_watch.reset();
  if (on_input && !m_always_idle) {
    m_watch = idle::ActivityWatch::start(m_detector->options().root, std::move(on_input));
  }
}

std::vector<idle::EventSource> IdleProbe::event_sources() const {
  return m_watch ? m_watch->sources() : std::vector<idle::EventSource>{};
}

Result<IdleProbe> IdleProbe::from_config(const config::Config& cfg, bool always_idle) {
  Result<idle::Policy> policy = idle::Policy::from_config(cfg);
  if (!policy) return std::move(policy).error();
  idle::DetectorOptions options = idle::DetectorOptions::from_config(cfg);
  options.cpu_running = true;  // the node looks every check_interval: no wait per look
  auto detector = std::make_unique<idle::Detector>(std::move(options));
  return IdleProbe(std::move(detector), std::move(policy).value(), always_idle);
}

IdleProbe::IdleProbe(std::unique_ptr<idle::Detector> detector, idle::Policy policy,
                     bool always_idle)
    : m_detector(std::move(detector)), m_policy(std::move(policy)), m_always_idle(always_idle) {}

Result<Observation> IdleProbe::observe(std::int64_t now_ms) {
  Observation observed{now_ms, true, {}};
  m_busy_reason.clear();
  if (m_always_idle) return observed;
  Result<idle::Samples> samples = m_detector->sample();
  if (!samples) return std::move(samples).error();
  if (m_watch && samples->checks.input) {
    std::vector<idle::InputSource> events = m_watch->input_sources();
    samples->input.insert(samples->input.end(), events.begin(), events.end());
  }
  idle::Verdict verdict = idle::evaluate(m_policy, *samples);
  m_steadiness.apply(m_policy, verdict, now_ms);
  m_settles_in = idle::settles_in(verdict);
  std::vector<std::string> reasons;
  // A busy GPU pauses only the tasks on it; every other busy signal pauses the machine.
  for (const idle::Signal& signal : verdict.signals) {
    if (signal.busy && signal.name != "gpu") {
      observed.machine_idle = false;
      reasons.push_back(signal.reason);
    }
  }
  for (const idle::GpuVerdict& gpu : verdict.gpus) {
    if (gpu.busy) observed.busy_gpus.insert(static_cast<int>(gpu.index));
  }
  m_busy_reason = join(reasons, "; ");
  return observed;
}

Result<api::Resources> IdleProbe::capacity() {
  api::Resources capacity{0, 0, 0};
  long cores = ::sysconf(_SC_NPROCESSORS_ONLN);
  capacity.cpu = cores > 0 ? static_cast<double>(cores) : 1.0;
  Result<idle::Samples> samples = m_detector->sample();
  if (!samples) return std::move(samples).error();
  capacity.memory_mib = static_cast<std::int64_t>(samples->memory.total_bytes >> 20);
  capacity.gpu = static_cast<std::int64_t>(samples->gpu.devices.size());
  return capacity;
}

}  // namespace ia::node
