// Node transitions: heartbeat, lease, fair dispatch, expiry, and the read-side views.
#include "sched/scheduler.hpp"

#include "core/random.hpp"
#include "sched/matching.hpp"

namespace ia::sched {
namespace {

constexpr std::int64_t k_hour_ms = 3600 * 1000;

}  // namespace

std::vector<api::LeaseRef> Scheduler::heartbeat(const std::string& node_id,
                                                const api::Heartbeat& beat, std::int64_t now_ms,
                                                Changes& changes) {
  auto [it, inserted] = m_nodes.try_emplace(node_id);
  Node& node = it->second;
  if (inserted) node.record.id = node_id;
  if (node.record.first_seen_ms == 0) node.record.first_seen_ms = now_ms;
  if (!node.online) changes.events.push_back(Event{"node_joined", 0, node_id, "online", {}});
  node.online = true;
  node.record.capacity = beat.capacity;
  node.record.labels = beat.labels;
  node.record.last_heartbeat_ms = now_ms;
  node.load = beat.load;
  node.idle = beat.idle;
  changes.nodes.insert(node_id);
  std::vector<api::LeaseRef> cancel;
  for (const api::LeaseRef& ref : beat.leases) {
    auto found = m_tasks.find(ref.task_id);
    if (found == m_tasks.end() || !holds(found->second, ref.lease_id) ||
        found->second.node_id != node_id) {
      // A lease the server no longer knows: the node must stop it (it was requeued).
      cancel.push_back(ref);
      continue;
    }
    api::Task& task = found->second;
    task.lease_expires_ms = now_ms + m_settings.lease_ttl_ms();
    mark_running(task, changes);
    if (task.cancel_requested) cancel.push_back(ref);
  }
  return cancel;
}

api::Resources Scheduler::free_of(const Node& node) const {
  api::Resources free = node.record.capacity;
  for (std::int64_t id : node.running) {
    if (const api::Task* running = task(id)) free = subtract(free, running->spec.resources);
  }
  if (node.asked_free) free = min_each(free, *node.asked_free);
  return free;
}

const api::Task* Scheduler::pick(const Node& node) const {
  api::Resources free = free_of(node);
  for (const QueueKey& key : m_queue) {
    const api::Task& candidate = m_tasks.at(key.second);
    if (fits(candidate.spec, free, node.record.labels)) return &candidate;
  }
  return nullptr;
}

// Random, so that one node cannot guess another's lease and post its result. A lease
// is checked against its own task only, so it need differ only from the task's last.
std::int64_t Scheduler::new_lease_id(std::int64_t previous) {
  for (;;) {
    Result<std::int64_t> id = random_json_id();
    if (!id) return previous + 1;  // no kernel random source (not seen on Linux >= 3.17)
    if (*id != previous) return *id;
  }
}

void Scheduler::grant(api::Task& task, Node& node, std::int64_t now_ms, Changes& changes) {
  m_queue.erase(queue_key(task));
  set_state(task, api::TaskState::leased);
  task.lease_id = new_lease_id(task.lease_id);
  task.lease_expires_ms = now_ms + m_settings.lease_ttl_ms();
  task.node_id = node.record.id;
  task.started_ms = now_ms;
  node.running.insert(task.id);
  node.record.last_served_ms = now_ms;
  node.waiting_since_ms = 0;
  node.asked_free.reset();
  changes.tasks.insert(task.id);
  changes.nodes.insert(node.record.id);
}

Result<const api::Task*> Scheduler::lease(const std::string& node_id,
                                          const api::LeaseRequest& request, std::int64_t now_ms,
                                          Changes& changes) {
  auto found = m_nodes.find(node_id);
  if (found == m_nodes.end() || !found->second.online) {
    return make_error(ErrorCode::node_not_found, "node " + node_id + " is not registered",
                      "send a heartbeat first: POST /v1/nodes/" + node_id + "/heartbeat");
  }
  Node& node = found->second;
  node.asked_free = request.free;
  if (const api::Task* best = pick(node)) {
    api::Task& task = m_tasks.at(best->id);
    grant(task, node, now_ms, changes);
    return &task;
  }
  if (node.waiting_since_ms == 0) node.waiting_since_ms = now_ms;
  return static_cast<const api::Task*>(nullptr);
}

void Scheduler::stop_waiting(const std::string& node_id) {
  if (auto found = m_nodes.find(node_id); found != m_nodes.end()) {
    found->second.waiting_since_ms = 0;
    found->second.asked_free.reset();
  }
}

void Scheduler::set_owner(const std::string& node_id, const std::string& owner,
                          Changes& changes) {
  auto found = m_nodes.find(node_id);
  if (found == m_nodes.end() || found->second.record.owner == owner) return;
  found->second.record.owner = owner;
  changes.nodes.insert(node_id);
}

std::vector<Grant> Scheduler::dispatch(std::int64_t now_ms, Changes& changes) {
  std::vector<Grant> grants;
  if (m_queue.empty()) return grants;
  for (const FairEntry& entry : node_queue(now_ms)) {
    if (m_queue.empty()) break;
    Node& node = m_nodes.at(entry.node_id);
    if (const api::Task* best = pick(node)) {
      api::Task& task = m_tasks.at(best->id);
      grant(task, node, now_ms, changes);
      grants.push_back(Grant{entry.node_id, task.id});
    }
  }
  return grants;
}

void Scheduler::tick(std::int64_t now_ms, Changes& changes) {
  std::vector<std::int64_t> expired;
  for (auto& [id, task] : m_tasks) {
    bool live = task.state == api::TaskState::leased || task.state == api::TaskState::running;
    if (live && task.lease_expires_ms <= now_ms) expired.push_back(id);
  }
  for (std::int64_t id : expired) requeue(m_tasks.at(id), true, now_ms, changes);
  for (auto& [id, node] : m_nodes) {
    if (node.online && node.record.last_heartbeat_ms + m_settings.lease_ttl_ms() <= now_ms) {
      node.online = false;
      node.waiting_since_ms = 0;
      changes.events.push_back(Event{"node_left", 0, id, "offline", {}});
    }
  }
  while (!m_recent_finishes.empty() && m_recent_finishes.front().first < now_ms - k_hour_ms) {
    m_recent_wall_s -= m_recent_finishes.front().second;
    m_recent_finishes.pop_front();
  }
  if (m_recent_finishes.empty()) m_recent_wall_s = 0;  // no drift from the sums
}

const Node* Scheduler::node(const std::string& id) const {
  auto found = m_nodes.find(id);
  return found == m_nodes.end() ? nullptr : &found->second;
}

std::vector<const Node*> Scheduler::nodes() const {
  std::vector<const Node*> out;
  for (const auto& [id, node] : m_nodes) out.push_back(&node);
  return out;
}

std::vector<FairEntry> Scheduler::node_queue(std::int64_t now_ms) const {
  std::vector<FairInput> waiting;
  for (const auto& [id, node] : m_nodes) {
    if (node.online && node.waiting_since_ms > 0) {
      waiting.push_back(FairInput{id, node.waiting_since_ms, node.record.completed,
                                  node.record.last_served_ms});
    }
  }
  return fair_order(waiting, now_ms);
}

Stats Scheduler::stats(std::int64_t now_ms) const {
  Stats stats;
  stats.tasks_total = static_cast<std::int64_t>(m_tasks.size());
  for (std::size_t state = 0; state < m_state_counts.size(); ++state) {
    stats.by_state[static_cast<api::TaskState>(state)] = m_state_counts[state];
  }
  if (m_finished_count > 0) {
    stats.average_run_s = m_finished_wall_s / static_cast<double>(m_finished_count);
  }
  // From the running sums, less the few finishes older than an hour that the next tick
  // drops: never a walk over the hour's finishes.
  stats.tasks_last_hour = static_cast<std::int64_t>(m_recent_finishes.size());
  double wall_s = m_recent_wall_s;
  for (auto it = m_recent_finishes.begin();
       it != m_recent_finishes.end() && it->first < now_ms - k_hour_ms; ++it) {
    stats.tasks_last_hour -= 1;
    wall_s -= it->second;
  }
  stats.compute_hours_last_hour = std::max(0.0, wall_s) / 3600.0;
  for (const auto& [id, node] : m_nodes) {
    stats.nodes_total += 1;
    if (!node.online) {
      stats.nodes_offline += 1;
      continue;
    }
    stats.nodes_busy += node.running.empty() ? 0 : 1;
    stats.nodes_idle += node.running.empty() ? 1 : 0;
    stats.capacity_online.cpu += node.record.capacity.cpu;
    stats.capacity_online.memory_mib += node.record.capacity.memory_mib;
    stats.capacity_online.gpu += node.record.capacity.gpu;
    api::Resources free = free_of(node);
    stats.capacity_free.cpu += std::max(0.0, free.cpu);
    stats.capacity_free.memory_mib += std::max<std::int64_t>(0, free.memory_mib);
    stats.capacity_free.gpu += std::max<std::int64_t>(0, free.gpu);
  }
  return stats;
}

}  // namespace ia::sched
