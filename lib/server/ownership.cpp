// Who may touch what (DESIGN.md §6) beyond the route table's kinds: a client token reads
// and cancels only the tasks it submitted, a tokenless caller only tasks submitted
// without a token; a node token speaks only for the nodes it registered, a tokenless
// caller only for nodes no token registered, so one node cannot lease, renew or finish
// another's work. What is not the caller's reads as missing.
#include "api/errors.hpp"
#include "server/service.hpp"
#include "server/views.hpp"

namespace ia::server {
namespace {

Error not_yours(const std::string& node_id, const Principal& who) {
  return make_error(ErrorCode::forbidden,
                    "node " + node_id + " is not one " + std::string(describe(who)) +
                        " may speak for",
                    who.is(Kind::node)
                        ? "give each machine its own --node-id; a node token speaks only for "
                          "the nodes it registered ('ia-sched node reassign' moves one)"
                        : "a caller without a token speaks only for nodes no token registered");
}

}  // namespace

bool owns(const Principal& who, const api::Task& task) {
  switch (who.kind) {
    case Kind::admin: return true;
    case Kind::client: return task.spec.owner == who.name;
    case Kind::tokenless: return task.spec.owner == k_tokenless_owner;
    case Kind::node: return false;
  }
  return false;
}

Status check_owns(const Principal& who, const api::Task& task) {
  if (owns(who, task)) return {};
  return make_error(ErrorCode::task_not_found, "task " + std::to_string(task.id) + " not found");
}

std::string_view owner_filter(const Principal& who) {
  return who.is(Kind::admin) ? std::string_view() : owner_name(who);
}

Status Service::speaks_for(const Call& call, const std::string& node_id) const {
  const Principal& who = call.principal;
  if (who.is(Kind::admin)) return {};
  const sched::Node* node = m_sched.node(node_id);
  if (!node) return within_node_cap(call);
  const std::string& owner = node->record.owner;
  if (who.is(Kind::node) && owner == who.name) return {};
  if (who.is(Kind::tokenless) && owner.empty()) return {};
  return not_yours(node_id, who);
}

Status Service::within_node_cap(const Call& call) const {
  std::int64_t cap = call.options->max_nodes_per_token;
  if (!call.principal.is(Kind::node) || cap <= 0) return {};
  std::int64_t held = 0;
  for (const sched::Node* node : m_sched.nodes()) {
    if (node->record.owner == call.principal.name) ++held;
  }
  if (held < cap) return {};
  return make_error(ErrorCode::forbidden,
                    "node token '" + call.principal.name + "' already speaks for " +
                        std::to_string(held) + " nodes, the most one token may",
                    "reuse a node id, or raise [sched] max_nodes_per_token");
}

Status Service::speaks_for_holder(const Call& call, const std::string& claimed_node) const {
  const api::Task* task = m_sched.task(call.task_id);
  if (!task) return {};  // the scheduler gives the error
  bool held = task->state == api::TaskState::leased || task->state == api::TaskState::running;
  if (!held) return {};  // no lease to match: the scheduler refuses it as stale
  bool wrong_node = !claimed_node.empty() && claimed_node != task->node_id;
  if (wrong_node || !speaks_for(call, task->node_id)) {
    // Which node holds it is not the caller's to learn.
    return make_error(ErrorCode::forbidden,
                      "task " + std::to_string(task->id) + " is not leased to any node that " +
                          std::string(describe(call.principal)) + " speaks for",
                      "only the node that holds the lease may post its output and result");
  }
  return {};
}

void Service::claim(const Principal& who, const std::string& node_id, bool fresh,
                    sched::Changes& changes) {
  // A new node is its registrant's; an admin's then is no node token's to take. A
  // tokenless caller's stays without an owner.
  if (fresh && !who.is(Kind::tokenless)) m_sched.set_owner(node_id, who.name, changes);
}

void Service::drop_leases_of(const std::vector<std::string>& token_names) {
  if (token_names.empty()) return;
  std::lock_guard lock(m_mutex);
  if (m_stopped) return;
  sched::Changes changes;
  for (const sched::Node* node : m_sched.nodes()) {
    if (std::find(token_names.begin(), token_names.end(), node->record.owner) ==
        token_names.end()) {
      continue;
    }
    std::vector<std::int64_t> running(node->running.begin(), node->running.end());
    for (std::int64_t id : running) {
      const api::Task* task = m_sched.task(id);
      if (task && m_sched.return_lease(id, task->lease_id, now(), changes)) {
        m_log.warning("task " + std::to_string(id) + ": the token of node " + node->record.id +
                      " was revoked; queued again");
      }
    }
  }
  commit(changes, [this](const Status& status) {
    if (!status) m_log.error("store: " + status.error().describe());
  });
}

NodeShown Service::show(const Principal& who, const sched::Node& node) const {
  NodeShown shown{&node, {}, who.is(Kind::admin)};
  for (std::int64_t id : node.running) {
    const api::Task* task = m_sched.task(id);
    if (task && owns(who, *task)) shown.running.push_back(id);
  }
  return shown;
}

}  // namespace ia::server
