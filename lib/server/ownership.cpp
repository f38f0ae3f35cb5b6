// Who may touch what (DESIGN.md §6) beyond a token's role: a client token reads and
// cancels only the tasks it submitted, and a node token speaks only for the nodes it
// registered, so one node cannot lease, renew or finish another's work.
#include "api/errors.hpp"
#include "server/service.hpp"

namespace ia::server {

bool owns(const Principal& who, const api::Task& task) {
  return who.role != Role::client || task.spec.owner == who.name;
}

Status check_owns(const Principal& who, const api::Task& task) {
  if (owns(who, task)) return {};
  return make_error(ErrorCode::forbidden,
                    "task " + std::to_string(task.id) + " belongs to another client",
                    "a client token reaches only the tasks it submitted; an admin token "
                    "reaches every task");
}

std::string_view owner_filter(const Principal& who) {
  return who.role == Role::client ? std::string_view(who.name) : std::string_view();
}

Status Service::speaks_for(const Principal& who, const std::string& node_id) const {
  if (who.role != Role::node) return {};
  const sched::Node* node = m_sched.node(node_id);
  if (!node || node->record.owner.empty() || node->record.owner == who.name) return {};
  // The token that registered the node was revoked: whoever the admin gave a new token
  // to takes the node over.
  if (!m_tokens.valid(node->record.owner)) return {};
  return make_error(ErrorCode::forbidden,
                    "node " + node_id + " belongs to another node token",
                    "give each machine its own --node-id; a node token speaks only for the "
                    "nodes it registered until that token is revoked");
}

Status Service::speaks_for_task(const Principal& who, std::int64_t task_id) const {
  const api::Task* task = m_sched.task(task_id);
  if (!task || task->node_id.empty()) return {};  // the scheduler gives the error
  return speaks_for(who, task->node_id);
}

void Service::claim(const Principal& who, const std::string& node_id,
                    sched::Changes& changes) {
  if (who.role == Role::node) m_sched.set_owner(node_id, who.name, changes);
}

}  // namespace ia::server
