#include "server/rate_limit.hpp"

#include <algorithm>

namespace ia::server {

bool RateLimiter::allow(const std::string& name, std::int64_t per_second, std::int64_t now_ms) {
  if (per_second <= 0) return true;
  std::lock_guard lock(m_mutex);
  auto [it, inserted] = m_buckets.try_emplace(name);
  Bucket& bucket = it->second;
  double capacity = static_cast<double>(per_second);
  if (inserted) {
    bucket.tokens = capacity;
  } else {
    double refill = static_cast<double>(now_ms - bucket.updated_ms) / 1000.0 * capacity;
    bucket.tokens = std::min(capacity, bucket.tokens + std::max(0.0, refill));
  }
  bucket.updated_ms = now_ms;
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

}  // namespace ia::server
