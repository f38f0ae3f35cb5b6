#include "node/backoff.hpp"

#include <algorithm>

namespace ia::node {

Backoff::Backoff(Millis base, Millis cap, std::uint64_t seed)
    : m_base(base), m_cap(cap), m_random(seed) {}

Millis Backoff::next() {
  // 2^20 times any sensible base already exceeds any sensible cap; stop doubling there.
  int exponent = std::min(m_attempt, 20);
  ++m_attempt;
  std::int64_t ceiling = std::min<std::int64_t>(m_cap.count(), m_base.count() << exponent);
  std::uniform_int_distribution<std::int64_t> pick(0, std::max<std::int64_t>(ceiling, 0));
  return Millis(pick(m_random));
}

}  // namespace ia::node
