// Task transitions: submit, cancel, finish, output, requeue and finalization.
#include "sched/scheduler.hpp"

#include <algorithm>

namespace ia::sched {
namespace {

constexpr std::int64_t k_hour_ms = 3600 * 1000;

Error stale_lease(std::int64_t task_id, std::int64_t lease_id) {
  return make_error(ErrorCode::conflict,
                    "lease " + std::to_string(lease_id) + " of task " + std::to_string(task_id) +
                        " is no longer current",
                    "the lease expired or the task was requeued or finished; drop this result");
}

}  // namespace

void Scheduler::restore(store::Snapshot snapshot, std::int64_t now_ms) {
  for (store::NodeRecord& record : snapshot.nodes) {
    Node node;
    node.record = std::move(record);
    m_nodes.emplace(node.record.id, std::move(node));
  }
  for (api::Task& task : snapshot.tasks) {
    m_next_task_id = std::max(m_next_task_id, task.id + 1);
    if (task.state == api::TaskState::queued) m_queue.insert(queue_key(task));
    if (task.state == api::TaskState::leased || task.state == api::TaskState::running) {
      task.lease_expires_ms = now_ms + m_settings.lease_ttl_ms();
      if (auto found = m_nodes.find(task.node_id); found != m_nodes.end()) {
        found->second.running.insert(task.id);
      }
    }
    if (api::is_finished(task.state) && task.started_ms > 0) {
      ++m_finished_count;
      m_finished_wall_s += task.wall_s;
      if (task.finished_ms > now_ms - k_hour_ms) note_finish(task.finished_ms, task.wall_s);
    }
    m_state_counts[static_cast<std::size_t>(task.state)] += 1;
    std::int64_t id = task.id;
    m_tasks.emplace(id, std::move(task));
  }
  std::sort(m_recent_finishes.begin(), m_recent_finishes.end());
}

const api::Task& Scheduler::submit(api::TaskSpec spec, std::int64_t now_ms, Changes& changes) {
  api::Task task;
  task.id = m_next_task_id++;
  task.spec = std::move(spec);
  task.created_ms = now_ms;
  auto [it, inserted] = m_tasks.emplace(task.id, std::move(task));
  m_state_counts[static_cast<std::size_t>(api::TaskState::queued)] += 1;
  m_queue.insert(queue_key(it->second));
  changes.tasks.insert(it->first);
  changes.events.push_back(Event{"task_created", it->first, {}, "queued", it->second.spec.owner});
  changes.try_dispatch = true;
  return it->second;
}

const api::Task* Scheduler::task(std::int64_t id) const {
  auto found = m_tasks.find(id);
  return found == m_tasks.end() ? nullptr : &found->second;
}

std::vector<const api::Task*> Scheduler::list(std::optional<api::TaskState> state,
                                              std::int64_t after, std::size_t limit,
                                              std::string_view owner) const {
  std::vector<const api::Task*> out;
  for (auto it = m_tasks.upper_bound(after); it != m_tasks.end() && out.size() < limit; ++it) {
    const api::Task& task = it->second;
    if (state && task.state != *state) continue;
    if (!owner.empty() && task.spec.owner != owner) continue;
    out.push_back(&task);
  }
  return out;
}

Result<const api::Task*> Scheduler::cancel(std::int64_t id, std::int64_t now_ms,
                                           Changes& changes) {
  auto found = m_tasks.find(id);
  if (found == m_tasks.end()) {
    return make_error(ErrorCode::task_not_found, "task " + std::to_string(id) + " not found");
  }
  api::Task& task = found->second;
  if (api::is_finished(task.state)) {
    return make_error(ErrorCode::conflict,
                      "task " + std::to_string(id) + " already finished (" +
                          std::string(api::to_string(task.state)) + ")");
  }
  task.reason = "cancelled by request";
  if (task.state == api::TaskState::queued) {
    finalize(task, api::TaskState::cancelled, now_ms, changes);
  } else {
    // The node learns it from its next heartbeat answer and reports back.
    task.cancel_requested = true;
    changes.tasks.insert(id);
  }
  return &task;
}

Result<api::Task*> Scheduler::current_lease(std::int64_t task_id, std::int64_t lease_id) {
  auto found = m_tasks.find(task_id);
  if (found == m_tasks.end()) {
    return make_error(ErrorCode::task_not_found, "task " + std::to_string(task_id) + " not found");
  }
  api::Task& task = found->second;
  if (!holds(task, lease_id)) return stale_lease(task_id, lease_id);
  return &task;
}

Result<const api::Task*> Scheduler::finish(std::int64_t task_id, const api::ResultReport& report,
                                           std::int64_t now_ms, Changes& changes) {
  Result<api::Task*> found = current_lease(task_id, report.lease_id);
  IA_TRY(found);
  api::Task& task = **found;
  append(task, report.output, changes);
  if (report.output_truncated) task.output_truncated = true;
  if (report.vacate && !task.cancel_requested) {
    // Shown while it waits again: why it is back in the queue, and from where.
    task.reason = (report.reason.empty() ? std::string("vacated") : report.reason) +
                  " (on " + task.node_id + ")";
    requeue(task, false, now_ms, changes);
    return &task;
  }
  task.exit_code = report.exit_code;
  task.wall_s = report.wall_s;
  if (task.cancel_requested && !report.reason.empty()) {
    task.reason = "cancelled by request: " + report.reason;  // how the node ended it
  } else if (!task.cancel_requested) {
    task.reason = report.reason;  // an earlier vacate's reason no longer applies
  }
  if (auto node = m_nodes.find(task.node_id); node != m_nodes.end()) {
    node->second.record.completed += 1;
    node->second.record.compute_s += report.wall_s;
    changes.nodes.insert(task.node_id);
  }
  api::TaskState state = task.cancel_requested ? api::TaskState::cancelled : report.state;
  finalize(task, state, now_ms, changes);
  return &task;
}

bool Scheduler::return_lease(std::int64_t task_id, std::int64_t lease_id, std::int64_t now_ms,
                             Changes& changes) {
  auto found = m_tasks.find(task_id);
  if (found == m_tasks.end()) return false;
  api::Task& task = found->second;
  if (task.state != api::TaskState::leased || task.lease_id != lease_id) return false;
  requeue(task, false, now_ms, changes);
  return true;
}

Result<std::size_t> Scheduler::append_output(std::int64_t task_id, std::int64_t lease_id,
                                             const api::TaggedOutput& data, std::int64_t now_ms,
                                             Changes& changes,
                                             std::optional<std::int64_t> offset) {
  Result<api::Task*> found = current_lease(task_id, lease_id);
  IA_TRY(found);
  api::Task& task = **found;
  auto size = static_cast<std::int64_t>(task.output.size());
  // Once truncated nothing more is kept, so the node's count may run past the end.
  if (offset && *offset > size && !task.output_truncated) {
    return make_error(ErrorCode::conflict,
                      "output of task " + std::to_string(task_id) + ": offset " +
                          std::to_string(*offset) + " is past its end (" +
                          std::to_string(size) + " bytes)",
                      "send the output from byte " + std::to_string(size));
  }
  mark_running(task, changes);
  task.lease_expires_ms = now_ms + m_settings.lease_ttl_ms();
  if (offset && *offset < size) {
    auto have = static_cast<std::size_t>(size - *offset);
    if (have < data.size()) append(task, data.slice(have, data.size()), changes);
  } else {
    append(task, data, changes);
  }
  return task.output.size();
}

void Scheduler::append(api::Task& task, const api::TaggedOutput& data, Changes& changes) {
  if (data.empty()) return;
  auto limit = static_cast<std::size_t>(task.spec.output_limit);
  std::size_t room = limit > task.output.size() ? limit - task.output.size() : 0;
  api::TaggedOutput kept = data;
  if (kept.size() > room) {
    task.output_truncated = true;
    kept.truncate(room);
    changes.tasks.insert(task.id);
  }
  // One append per run of a stream, so the store can tell them apart again.
  kept.for_each_run([&](std::string_view run, bool from_stderr) {
    changes.outputs.push_back(store::OutputAppend{
        task.id, static_cast<std::int64_t>(task.output.size()), std::string(run), from_stderr});
    task.output.append(run, from_stderr);
  });
}

void Scheduler::mark_running(api::Task& task, Changes& changes) {
  if (task.state != api::TaskState::leased) return;
  set_state(task, api::TaskState::running);
  changes.tasks.insert(task.id);
  changes.events.push_back(Event{"task_started", task.id, task.node_id, "running", task.spec.owner});
}

void Scheduler::release(api::Task& task) {
  if (auto node = m_nodes.find(task.node_id); node != m_nodes.end()) {
    node->second.running.erase(task.id);
  }
  task.lease_expires_ms = 0;
}

void Scheduler::requeue(api::Task& task, bool penalty, std::int64_t now_ms, Changes& changes) {
  std::string node_id = task.node_id;
  release(task);
  changes.tasks.insert(task.id);
  if (task.cancel_requested) {
    finalize(task, api::TaskState::cancelled, now_ms, changes);
    return;
  }
  if (penalty) {
    task.attempt += 1;
    if (task.attempt > task.spec.max_retries) {
      task.reason = "lease lost " + std::to_string(task.attempt) + " times (last on node " +
                    node_id + "); max_retries is " + std::to_string(task.spec.max_retries);
      finalize(task, api::TaskState::failed, now_ms, changes);
      return;
    }
  }
  set_state(task, api::TaskState::queued);
  m_queue.insert(queue_key(task));
  changes.try_dispatch = true;
}

void Scheduler::finalize(api::Task& task, api::TaskState state, std::int64_t now_ms,
                         Changes& changes) {
  if (task.state == api::TaskState::queued) m_queue.erase(queue_key(task));
  // A node that waits while full must hear at once that this task's room is free.
  if (task.state == api::TaskState::leased || task.state == api::TaskState::running) {
    changes.try_dispatch = true;
  }
  release(task);
  set_state(task, state);
  task.finished_ms = now_ms;
  changes.tasks.insert(task.id);
  changes.finished.push_back(task.id);
  std::string_view name = state == api::TaskState::succeeded ? "task_completed"
                          : state == api::TaskState::cancelled ? "task_cancelled"
                                                               : "task_failed";
  changes.events.push_back(Event{std::string(name), task.id, task.node_id,
                                 std::string(api::to_string(state)), task.spec.owner});
  if (task.started_ms > 0) {
    ++m_finished_count;
    m_finished_wall_s += task.wall_s;
    note_finish(now_ms, task.wall_s);
  }
}

void Scheduler::set_state(api::Task& task, api::TaskState state) {
  m_state_counts[static_cast<std::size_t>(task.state)] -= 1;
  m_state_counts[static_cast<std::size_t>(state)] += 1;
  task.state = state;
}

void Scheduler::note_finish(std::int64_t finished_ms, double wall_s) {
  m_recent_finishes.emplace_back(finished_ms, wall_s);
  m_recent_wall_s += wall_s;
}

store::Batch Scheduler::batch(const Changes& changes) const {
  store::Batch out;
  for (std::int64_t id : changes.tasks) {
    if (const api::Task* found = task(id)) {
      out.tasks.push_back(*found);
      out.tasks.back().output = {};  // output travels as appends
    }
  }
  out.outputs = changes.outputs;
  for (const std::string& id : changes.nodes) {
    if (const Node* found = node(id)) out.nodes.push_back(found->record);
  }
  return out;
}

}  // namespace ia::sched
