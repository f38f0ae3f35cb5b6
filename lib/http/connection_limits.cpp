#include "http/connection_limits.hpp"

namespace ia::http {

ConnectionLimits::ConnectionLimits(std::size_t total, std::size_t per_address,
                                   std::size_t refusing)
    : m_total_cap(total), m_address_cap(per_address), m_refusing_cap(refusing) {}

ConnectionLimits::Verdict ConnectionLimits::admit(const std::string& key) {
  std::lock_guard lock(m_mutex);
  std::size_t& from_address = m_by_address[key];
  Verdict verdict = Verdict::admitted;
  if (from_address >= m_address_cap) verdict = Verdict::refused_address;
  else if (m_admitted >= m_total_cap) verdict = Verdict::refused_total;
  if (verdict == Verdict::admitted) {
    ++from_address;
    ++m_admitted;
    return verdict;
  }
  if (from_address == 0) m_by_address.erase(key);
  if (m_refusing >= m_refusing_cap) return Verdict::dropped;
  ++m_refusing;
  return verdict;
}

void ConnectionLimits::release(Verdict verdict, const std::string& key) {
  std::lock_guard lock(m_mutex);
  if (verdict == Verdict::dropped) return;
  if (verdict != Verdict::admitted) {
    --m_refusing;
    return;
  }
  --m_admitted;
  auto it = m_by_address.find(key);
  if (it != m_by_address.end() && --it->second == 0) m_by_address.erase(it);
}

std::size_t ConnectionLimits::admitted() const {
  std::lock_guard lock(m_mutex);
  return m_admitted;
}

}  // namespace ia::http
