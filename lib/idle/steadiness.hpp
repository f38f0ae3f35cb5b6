// Hysteresis over a series of verdicts, for those that watch the machine over time (the
// node, ia-idle --watch and --wait): input counts at once, but CPU load only once it has
// lasted idle.cpu_busy_for (a compile or an update check is not the owner's return), and
// after any busy verdict the machine must look idle for idle.resume_after before it is
// called idle again (no freeze-thaw-freeze on a load that comes and goes).
// Pure logic: the caller passes the time in. One per watcher.
#pragma once

#include <cstdint>
#include <optional>

#include "idle/policy.hpp"

namespace ia::idle {

class Steadiness {
 public:
  // Adjusts a fresh verdict taken at now_ms (steady clock): a CPU signal busy for less
  // than cpu_busy_for is not busy yet, and a verdict idle for less than resume_after
  // since the last busy one gets a busy "resume" signal saying how long is left. CPU load
  // at the very first look counts as lasting.
  void apply(const Policy& policy, Verdict& verdict, std::int64_t now_ms);

 private:
  bool m_looked = false;
  std::optional<std::int64_t> m_cpu_busy_since;
  std::optional<std::int64_t> m_last_busy_ms;
  std::string m_last_busy_signal;
};

// When a busy verdict is busy only for input or resume_after (which time alone ends): how
// long until it may be idle, so a watcher looks again then; empty when only a look can tell.
std::optional<Millis> settles_in(const Verdict& verdict);

}  // namespace ia::idle
