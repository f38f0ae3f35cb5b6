#include "server/token_slots.hpp"

namespace ia::server {

TokenSlots::Slot TokenSlots::take(const std::string& name, std::int64_t cap) {
  {
    std::lock_guard lock(m_counts->mutex);
    std::int64_t& held = m_counts->held[name];
    if (held >= cap) return nullptr;
    ++held;
  }
  // Points at the counts only to be non-null; the deleter, run where the last copy goes,
  // gives the slot back and deletes nothing.
  return Slot(static_cast<void*>(m_counts.get()), [counts = m_counts, name](void*) {
    std::lock_guard lock(counts->mutex);
    auto it = counts->held.find(name);
    if (it != counts->held.end() && --it->second == 0) counts->held.erase(it);
  });
}

std::int64_t TokenSlots::held(const std::string& name) const {
  std::lock_guard lock(m_counts->mutex);
  auto it = m_counts->held.find(name);
  return it == m_counts->held.end() ? 0 : it->second;
}

}  // namespace ia::server
