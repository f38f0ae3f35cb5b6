#include "core/units.hpp"

#include <array>
#include <cmath>
#include <limits>

#include "core/strings.hpp"

namespace ia {
namespace {

struct Suffix {
  std::string_view name;
  double scale;
};

constexpr std::array<Suffix, 14> k_byte_suffixes{{
    {"", 1.0}, {"B", 1.0},
    {"K", 0x1p10}, {"KB", 0x1p10}, {"KiB", 0x1p10},
    {"M", 0x1p20}, {"MB", 0x1p20}, {"MiB", 0x1p20},
    {"G", 0x1p30}, {"GB", 0x1p30}, {"GiB", 0x1p30},
    {"T", 0x1p40}, {"TB", 0x1p40}, {"TiB", 0x1p40},
}};

constexpr std::array<Suffix, 6> k_duration_suffixes{{
    {"ms", 1.0}, {"s", 1e3}, {"m", 60e3}, {"h", 3600e3}, {"d", 86400e3}, {"w", 604800e3},
}};

// Splits "1.5G" into the number 1.5 and the rest "G". Accepts digits with at most one
// decimal point; refuses signs, exponents and spaces that strtod would let through.
bool split_number(std::string_view text, double& number, std::string_view& rest) {
  std::size_t i = 0;
  bool seen_digit = false, seen_point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      seen_digit = true;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!seen_digit || i > 24) return false;
  number = std::stod(std::string(text.substr(0, i)));
  rest = text.substr(i);
  return true;
}

Error bad_bytes(std::string_view text, std::string_view why) {
  return make_error(ErrorCode::invalid_argument,
                    "invalid size '" + std::string(text) + "': " + std::string(why),
                    "write a whole number of bytes or use a suffix: 512K, 512M, 2G, 1T");
}

Error bad_duration(std::string_view text, std::string_view why) {
  return make_error(ErrorCode::invalid_argument,
                    "invalid duration '" + std::string(text) + "': " + std::string(why),
                    "write seconds or use suffixes: 250ms, 90s, 10m, 2h, 1d, 1h30m");
}

}  // namespace

Result<std::uint64_t> parse_bytes(std::string_view text) {
  double number = 0;
  std::string_view rest;
  if (text.empty()) return bad_bytes(text, "empty");
  if (!split_number(text, number, rest)) return bad_bytes(text, "must start with a number");
  for (const Suffix& suffix : k_byte_suffixes) {
    if (rest != suffix.name) continue;
    double bytes = number * suffix.scale;
    if (bytes >= 0x1p63) return bad_bytes(text, "too large");
    return static_cast<std::uint64_t>(bytes);
  }
  return bad_bytes(text, "unknown suffix '" + std::string(rest) + "'");
}

Result<Millis> parse_duration(std::string_view text) {
  if (text.empty()) return bad_duration(text, "empty");
  double total_ms = 0;
  std::string_view rest = text;
  bool first = true;
  while (!rest.empty()) {
    double number = 0;
    std::string_view after;
    if (!split_number(rest, number, after)) {
      return bad_duration(text, first ? "must start with a number" : "expected a number after a unit");
    }
    std::size_t unit_len = 0;
    while (unit_len < after.size() && after[unit_len] >= 'a' && after[unit_len] <= 'z') ++unit_len;
    std::string_view unit = after.substr(0, unit_len);
    if (unit.empty()) {
      if (!first || unit_len != after.size()) return bad_duration(text, "a unit is missing");
      if (!after.empty()) return bad_duration(text, "unexpected '" + std::string(after) + "'");
      total_ms += number * 1e3;
      break;
    }
    const Suffix* found = nullptr;
    for (const Suffix& suffix : k_duration_suffixes) {
      if (suffix.name == unit) found = &suffix;
    }
    if (!found) return bad_duration(text, "unknown unit '" + std::string(unit) + "'");
    total_ms += number * found->scale;
    rest = after.substr(unit_len);
    first = false;
  }
  if (total_ms >= 0x1p62) return bad_duration(text, "too long");
  return Millis(static_cast<std::int64_t>(std::llround(total_ms)));
}

std::string format_bytes(std::uint64_t bytes) {
  static constexpr std::array<std::string_view, 4> k_units{"K", "M", "G", "T"};
  if (bytes < 1024) return std::to_string(bytes) + "B";
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  value /= 1024;
  while (value >= 1024 && unit + 1 < k_units.size()) {
    value /= 1024;
    ++unit;
  }
  return format_decimal(value, 1) + std::string(k_units[unit]);
}

std::string format_duration(Millis duration) {
  std::int64_t ms = duration.count();
  if (ms < 0) return "-" + format_duration(Millis(-ms));
  if (ms < 1000) return ms == 0 ? "0s" : std::to_string(ms) + "ms";
  std::int64_t seconds = ms / 1000;
  if (seconds < 60 && ms % 1000 != 0) return format_decimal(ms / 1000.0, 1) + "s";
  std::string out;
  static constexpr std::array<std::pair<std::int64_t, char>, 4> k_parts{
      {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}};
  for (auto [size, unit] : k_parts) {
    if (seconds >= size) {
      out += std::to_string(seconds / size) + unit;
      seconds %= size;
    }
  }
  return out;
}

}  // namespace ia
