// "Owner first" as pure logic: given the idle verdict now and the tasks running, what to
// freeze, thaw or vacate, and whether to ask for new work. The machine turning busy freezes
// every task at once; a single GPU the owner uses freezes only the tasks on that GPU.
// A task frozen longer than the grace period is vacated (killed, lease handed back without
// costing a retry). No I/O and no clock of its own: the agent passes the time in.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "core/units.hpp"

namespace ia::node {

struct Observation {
  std::int64_t now_ms = 0;
  bool machine_idle = false;       // the whole-machine verdict (own tasks excluded)
  std::set<int> busy_gpus;         // GPUs the owner is using right now
};

struct RunningTask {
  std::int64_t task_id = 0;
  std::vector<int> gpus;           // GPUs assigned to the task
};

enum class Action { freeze, thaw, vacate };

struct Decision {
  std::int64_t task_id;
  Action action;
  bool operator==(const Decision&) const = default;
};

class OwnerPolicy {
 public:
  explicit OwnerPolicy(Millis suspend_grace) : m_grace(suspend_grace) {}

  // The actions to take now, in task id order. Tasks no longer listed are forgotten.
  std::vector<Decision> decide(const Observation& observed, const std::vector<RunningTask>& tasks);

  void set_grace(Millis suspend_grace) { m_grace = suspend_grace; }
  bool is_frozen(std::int64_t task_id) const { return m_frozen_since.count(task_id) > 0; }
  // Whether to ask for new work: only while the machine is idle.
  static bool accepts_work(const Observation& observed) { return observed.machine_idle; }

 private:
  static bool must_pause(const Observation& observed, const RunningTask& task);

  Millis m_grace;
  std::map<std::int64_t, std::int64_t> m_frozen_since;  // task id -> when it was frozen
};

}  // namespace ia::node
