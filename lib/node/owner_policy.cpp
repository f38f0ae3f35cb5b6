#include "node/owner_policy.hpp"

#include <algorithm>

namespace ia::node {

bool OwnerPolicy::must_pause(const Observation& observed, const RunningTask& task) {
  if (!observed.machine_idle) return true;
  return std::any_of(task.gpus.begin(), task.gpus.end(),
                     [&](int gpu) { return observed.busy_gpus.count(gpu) > 0; });
}

std::vector<Decision> OwnerPolicy::decide(const Observation& observed,
                                          const std::vector<RunningTask>& tasks) {
  std::vector<RunningTask> ordered = tasks;
  std::sort(ordered.begin(), ordered.end(),
            [](const RunningTask& a, const RunningTask& b) { return a.task_id < b.task_id; });
  std::map<std::int64_t, std::int64_t> still_frozen;
  std::vector<Decision> decisions;
  for (const RunningTask& task : ordered) {
    auto frozen = m_frozen_since.find(task.task_id);
    bool pause = must_pause(observed, task);
    if (pause && frozen == m_frozen_since.end()) {
      decisions.push_back({task.task_id, Action::freeze});
      still_frozen[task.task_id] = observed.now_ms;
    } else if (pause && observed.now_ms - frozen->second >= m_grace.count()) {
      // Vacated tasks leave the frozen set: the agent kills them and drops them.
      decisions.push_back({task.task_id, Action::vacate});
    } else if (pause) {
      still_frozen[task.task_id] = frozen->second;
    } else if (frozen != m_frozen_since.end()) {
      decisions.push_back({task.task_id, Action::thaw});
    }
  }
  m_frozen_since = std::move(still_frozen);
  return decisions;
}

}  // namespace ia::node
