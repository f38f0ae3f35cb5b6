// Wall-clock and monotonic time in milliseconds, and ISO 8601 formatting.
#pragma once

#include <cstdint>
#include <string>

namespace ia {

std::int64_t unix_now_ms();     // wall clock, for timestamps people read
std::int64_t steady_now_ms();   // monotonic, for intervals and deadlines

// 1700000000123 -> "2023-11-14T22:13:20.123Z" (UTC).
std::string format_iso8601(std::int64_t unix_ms);

}  // namespace ia
