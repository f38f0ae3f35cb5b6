// The scheduler's working state and every transition of DESIGN.md §4: submit, lease,
// heartbeat (renewal, cancel delivery), result (stale leases refused), vacate, expiry
// with retries, cancel, node offline. Pure logic: no I/O, time passed in by the caller.
// Each operation records what it changed in Changes, which the server turns into a
// store batch and events. Not thread safe: the server holds one mutex around it.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/node.hpp"
#include "api/task.hpp"
#include "core/result.hpp"
#include "sched/fairness.hpp"
#include "store/store.hpp"

namespace ia::sched {

struct Settings {
  std::int64_t heartbeat_interval_ms = 10'000;
  std::int64_t lease_expiry_misses = 3;
  std::int64_t lease_ttl_ms() const { return heartbeat_interval_ms * lease_expiry_misses; }
};

struct Event {
  std::string name;  // task_created, task_started, ..., node_joined, node_left
  std::int64_t task_id = 0;
  std::string node_id;
  std::string status;
  std::string owner;  // task events: who submitted the task (a client sees only its own)
};

struct Changes {
  std::set<std::int64_t> tasks;
  std::set<std::string> nodes;
  std::vector<store::OutputAppend> outputs;
  std::vector<Event> events;
  std::vector<std::int64_t> finished;  // tasks that reached a final state (wake waiters)
  // A task became queued or a node's capacity came free: offer work to waiting nodes.
  bool try_dispatch = false;
};

struct Node {
  store::NodeRecord record;
  double load = 0;
  bool idle = true;
  bool online = false;
  std::set<std::int64_t> running;          // task ids leased to it
  std::int64_t waiting_since_ms = 0;       // 0: not waiting for a lease
  std::optional<api::Resources> asked_free;
};

struct Grant {
  std::string node_id;
  std::int64_t task_id = 0;
};

struct Stats {
  std::int64_t tasks_total = 0;
  std::map<api::TaskState, std::int64_t> by_state;
  double average_run_s = 0;
  std::int64_t nodes_total = 0, nodes_idle = 0, nodes_busy = 0, nodes_offline = 0;
  std::int64_t tasks_last_hour = 0;
  double compute_hours_last_hour = 0;
  api::Resources capacity_online{0, 0, 0};
  api::Resources capacity_free{0, 0, 0};
};

class Scheduler {
 public:
  explicit Scheduler(Settings settings) : m_settings(settings) {}

  // Rebuilds the state from a store snapshot; running leases get a fresh expiry so
  // their nodes can renew them after a server restart.
  void restore(store::Snapshot snapshot, std::int64_t now_ms);

  const api::Task& submit(api::TaskSpec spec, std::int64_t now_ms, Changes& changes);
  Result<const api::Task*> cancel(std::int64_t id, std::int64_t now_ms, Changes& changes);
  const api::Task* task(std::int64_t id) const;
  // Tasks with id > after, in id order, optionally of one state and of one owner (all
  // owners when empty).
  std::vector<const api::Task*> list(std::optional<api::TaskState> state, std::int64_t after,
                                     std::size_t limit, std::string_view owner = {}) const;

  // Registers or refreshes a node; returns the leases its node must cancel.
  std::vector<api::LeaseRef> heartbeat(const std::string& node_id, const api::Heartbeat& beat,
                                       std::int64_t now_ms, Changes& changes);
  // The best queued task for this node now, leased to it; nullptr when none fits (the
  // node is then marked waiting until served or stop_waiting).
  Result<const api::Task*> lease(const std::string& node_id, const api::LeaseRequest& request,
                                 std::int64_t now_ms, Changes& changes);
  void stop_waiting(const std::string& node_id);
  // Records the node token that speaks for a known node (store::NodeRecord::owner).
  void set_owner(const std::string& node_id, const std::string& owner, Changes& changes);
  // Offers queued tasks to waiting nodes in fair order.
  std::vector<Grant> dispatch(std::int64_t now_ms, Changes& changes);

  // Takes back a lease whose grant never reached its node: the task is queued again
  // with its attempt unchanged. False when the lease is no longer current or has begun.
  bool return_lease(std::int64_t task_id, std::int64_t lease_id, std::int64_t now_ms,
                    Changes& changes);
  Result<const api::Task*> finish(std::int64_t task_id, const api::ResultReport& report,
                                  std::int64_t now_ms, Changes& changes);
  // Appends a running task's output; returns the output size after it. With offset
  // (where data starts, as the node counts), the part the task already has is skipped,
  // so a retried chunk lands once; an offset past the end is a conflict.
  Result<std::size_t> append_output(std::int64_t task_id, std::int64_t lease_id,
                                    const api::TaggedOutput& data, std::int64_t now_ms,
                                    Changes& changes,
                                    std::optional<std::int64_t> offset = std::nullopt);
  // Expires leases and marks silent nodes offline.
  void tick(std::int64_t now_ms, Changes& changes);

  const Node* node(const std::string& id) const;
  std::vector<const Node*> nodes() const;
  std::vector<FairEntry> node_queue(std::int64_t now_ms) const;
  // Counts kept up to date as tasks change: costs time in nodes, never in tasks.
  Stats stats(std::int64_t now_ms) const;
  std::int64_t count(api::TaskState state) const {
    return m_state_counts[static_cast<std::size_t>(state)];
  }
  std::size_t queued() const { return m_queue.size(); }
  const Settings& settings() const { return m_settings; }
  void set_settings(Settings settings) { m_settings = settings; }

  // The store batch for what changes touched (current values of each task and node).
  store::Batch batch(const Changes& changes) const;

 private:
  using QueueKey = std::pair<std::int64_t, std::int64_t>;  // (-priority, id)
  static QueueKey queue_key(const api::Task& task) { return {-task.spec.priority, task.id}; }

  api::Resources free_of(const Node& node) const;
  const api::Task* pick(const Node& node) const;
  static std::int64_t new_lease_id(std::int64_t previous);
  void grant(api::Task& task, Node& node, std::int64_t now_ms, Changes& changes);
  void release(api::Task& task);
  void set_state(api::Task& task, api::TaskState state);
  void note_finish(std::int64_t finished_ms, double wall_s);
  void requeue(api::Task& task, bool penalty, std::int64_t now_ms, Changes& changes);
  void finalize(api::Task& task, api::TaskState state, std::int64_t now_ms, Changes& changes);
  void mark_running(api::Task& task, Changes& changes);
  void append(api::Task& task, const api::TaggedOutput& data, Changes& changes);
  Result<api::Task*> current_lease(std::int64_t task_id, std::int64_t lease_id);
  static bool holds(const api::Task& task, std::int64_t lease_id) {
    bool live = task.state == api::TaskState::leased || task.state == api::TaskState::running;
    return live && task.lease_id == lease_id;
  }

  Settings m_settings;
  std::map<std::int64_t, api::Task> m_tasks;
  std::set<QueueKey> m_queue;
  std::map<std::string, Node, std::less<>> m_nodes;
  std::int64_t m_next_task_id = 1;
  std::deque<std::pair<std::int64_t, double>> m_recent_finishes;  // (finished_ms, wall_s)
  double m_recent_wall_s = 0;  // the sum of m_recent_finishes' wall_s
  std::array<std::int64_t, 7> m_state_counts{};  // tasks by api::TaskState
  std::int64_t m_finished_count = 0;
  double m_finished_wall_s = 0;
};

}  // namespace ia::sched
