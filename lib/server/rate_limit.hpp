// Requests per second per token ([sched] rate_limit): a token bucket per token name that
// refills continuously and holds one second's worth. Thread safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace ia::server {

class RateLimiter {
 public:
  // False when name has no tokens left at now_ms; per_second 0 always allows.
  bool allow(const std::string& name, std::int64_t per_second, std::int64_t now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t updated_ms = 0;
  };
  std::mutex m_mutex;
  std::map<std::string, Bucket, std::less<>> m_buckets;
};

}  // namespace ia::server
