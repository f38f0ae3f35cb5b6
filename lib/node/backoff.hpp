// Exponential backoff with full jitter for retrying an unreachable scheduler: the n-th
// delay is uniform in [0, min(cap, base * 2^n)], so many nodes that lost the scheduler at
// once do not come back in lockstep. Not thread safe.
#pragma once

#include <cstdint>
#include <random>

#include "core/units.hpp"

namespace ia::node {

class Backoff {
 public:
  Backoff(Millis base, Millis cap, std::uint64_t seed);

  Millis next();          // the delay before the next try
  void reset() { m_attempt = 0; }
  int attempts() const { return m_attempt; }

 private:
  Millis m_base;
  Millis m_cap;
  int m_attempt = 0;
  std::mt19937_64 m_random;
};

}  // namespace ia::node
