#include "idle/steadiness.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace ia::idle {

namespace {

Signal* find_signal(Verdict& verdict, const std::string& name) {
  auto it = std::find_if(verdict.signals.begin(), verdict.signals.end(),
                         [&](const Signal& s) { return s.name == name; });
  return it == verdict.signals.end() ? nullptr : &*it;
}

}  // namespace

void Steadiness::apply(const Policy& policy, Verdict& verdict, std::int64_t now_ms) {
  if (Signal* cpu = find_signal(verdict, "cpu")) {
    if (!cpu->busy) {
      m_cpu_busy_since.reset();
    } else {
      // Load already there at the first look has lasted for all we know: a node started
      // on a busy machine waits instead of leasing work only to freeze it.
      if (!m_cpu_busy_since) m_cpu_busy_since = m_looked ? now_ms : now_ms - policy.cpu_busy_for.count();
      Millis lasted(now_ms - *m_cpu_busy_since);
      if (lasted < policy.cpu_busy_for) {
        cpu->busy = false;
        cpu->reason += ", for " + format_duration(lasted) + " < " +
                       format_duration(policy.cpu_busy_for) + " (idle.cpu_busy_for): a spike";
      } else if (policy.cpu_busy_for.count() > 0) {
        cpu->reason += ", for " + format_duration(lasted) + " >= " +
                       format_duration(policy.cpu_busy_for) + " (idle.cpu_busy_for)";
      }
    }
  }
  m_looked = true;
  bool busy = std::any_of(verdict.signals.begin(), verdict.signals.end(),
                          [](const Signal& s) { return s.busy; });
  if (busy) {
    m_last_busy_ms = now_ms;
    for (const Signal& s : verdict.signals) {
      if (s.busy) m_last_busy_signal = s.name;
    }
  } else if (m_last_busy_ms && Millis(now_ms - *m_last_busy_ms) < policy.resume_after) {
    Signal hold;
    hold.name = "resume";
    hold.present = true;
    hold.busy = true;
    hold.unit = "ms";
    hold.value = static_cast<double>(now_ms - *m_last_busy_ms);
    hold.threshold = static_cast<double>(policy.resume_after.count());
    hold.source = m_last_busy_signal;
    hold.reason = "idle for " + format_duration(Millis(now_ms - *m_last_busy_ms)) + " since " +
                  m_last_busy_signal + " was busy < " + format_duration(policy.resume_after) +
                  " (idle.resume_after)";
    verdict.signals.push_back(std::move(hold));
  }
  verdict.idle = std::none_of(verdict.signals.begin(), verdict.signals.end(),
                              [](const Signal& s) { return s.busy; });
}

// Input idle time and resume_after end by time alone; any other busy signal needs a look.
std::optional<Millis> settles_in(const Verdict& verdict) {
  std::optional<Millis> soonest;
  for (const Signal& s : verdict.signals) {
    if (!s.busy) continue;
    if ((s.name != "input" && s.name != "resume") || !s.value || !s.threshold) return std::nullopt;
    Millis left(static_cast<std::int64_t>(std::max(0.0, *s.threshold - *s.value)));
    soonest = soonest ? std::max(*soonest, left) : left;
  }
  return soonest;
}


}  // namespace ia::idle
