// Strict parsers and formatters for byte sizes ("512M") and durations ("90s", "1h30m").
// Sizes use binary multiples: K, KB and KiB all mean 1024 bytes, as Slurm and systemd read them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ia {

using Millis = std::chrono::milliseconds;

// "4096", "512K", "512M", "1.5G", "2GiB", "1T". No sign, no spaces, no unknown suffix.
Result<std::uint64_t> parse_bytes(std::string_view text);

// "250ms", "90s", "10m", "2h", "1d", "1h30m"; a bare number means seconds.
Result<Millis> parse_duration(std::string_view text);

// Shortest exact-ish form: 536870912 -> "512M", 1610612736 -> "1.5G", 100 -> "100B".
std::string format_bytes(std::uint64_t bytes);

// 5400000 -> "1h30m", 250 -> "250ms", 0 -> "0s".
std::string format_duration(Millis duration);

}  // namespace ia
