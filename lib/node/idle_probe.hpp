// How the agent asks "may I work now?": the [idle] policy over the idle detector's
// samples (own tasks excluded), or always yes for a dedicated machine (--idle always).
// Also what the node can offer: cores, memory and GPUs. One probe per agent thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "api/task.hpp"
#include "config/config.hpp"
#include "core/result.hpp"
#include "idle/activity.hpp"
#include "idle/detector.hpp"
#include "idle/policy.hpp"
#include "idle/steadiness.hpp"
#include "node/owner_policy.hpp"

namespace ia::node {

class IdleProbe {
 public:
  // always_idle: a dedicated machine; the detector is still used for capacity and GPUs.
  static Result<IdleProbe> from_config(const config::Config& cfg, bool always_idle);

  // The machine's verdict (GPU signals left out) and the GPUs the owner is using.
  Result<Observation> observe(std::int64_t now_ms);
  // Takes a new [idle] policy (SIGHUP); the detector and its loaded libraries stay.
  void set_policy(idle::Policy policy, bool always_idle) {
    m_policy = std::move(policy);
    m_always_idle = always_idle;
  }
  // Watches the owner's input by events (idle::ActivityWatch); on_input runs on the
  // watch's thread at the first input after a quiet spell. nullptr stops watching (the
  // caller must before it goes away). Nothing is watched for --idle always.
  void watch_input(std::function<void()> on_input);
  std::vector<idle::EventSource> event_sources() const;
  // Whether the owner's input alone makes the machine busy (idle_time above 0, policy
  // followed): then an input event may freeze before the look that confirms it.
  bool input_counts_at_once() const { return !m_always_idle && m_policy.idle_time.count() > 0; }
  // When the last observe() was busy for input or resume_after only: how long until time
  // alone could make it idle, so the caller looks again then instead of polling.
  std::optional<Millis> settles_in() const { return m_settles_in; }
  // Why the last observe() found the machine busy, for logs and status.
  const std::string& busy_reason() const { return m_busy_reason; }
  // Cores and memory of the machine, GPUs that NVML reports (0 without a driver).
  Result<api::Resources> capacity();

 private:
  IdleProbe(std::unique_ptr<idle::Detector> detector, idle::Policy policy, bool always_idle);

  std::unique_ptr<idle::Detector> m_detector;
  idle::Policy m_policy;
  bool m_always_idle;
  idle::Steadiness m_steadiness;
  std::unique_ptr<idle::ActivityWatch> m_watch;
  std::optional<Millis> m_settles_in;
  std::string m_busy_reason;
};

}  // namespace ia::node
