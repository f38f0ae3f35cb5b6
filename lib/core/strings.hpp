// Small string helpers shared by every module. Pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ia {

std::string_view trim(std::string_view text);
std::vector<std::string> split(std::string_view text, char separator);
// Splits on runs of spaces and tabs, dropping empty fields (like awk).
std::vector<std::string> split_fields(std::string_view text);
bool starts_with(std::string_view text, std::string_view prefix);
std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);
std::string join(const std::vector<std::string>& parts, std::string_view separator);

// Fixed decimals without trailing zeros: (1.50, 2) -> "1.5", (2.0, 1) -> "2".
std::string format_decimal(double value, int max_decimals);

// Text from elsewhere (a server, a file name) made safe to print for a person: control
// characters (C0, DEL and the C1 range U+0080..U+009F) become visible escapes ("\\n",
// "\\t", "\\x1b", "\\u009b"), so they cannot retitle or recolour a terminal or split a
// line. Everything else is left as it is.
std::string escape_controls(std::string_view text);

// Where text first holds a control character (C0 or DEL), or npos.
std::size_t find_control(std::string_view text);

// A byte as messages show it: "0x1b".
std::string hex_byte(unsigned char byte);

// Levenshtein distance, for "did you mean ...?" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate within a small distance, or "" when none is close.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// Strict decimal integer parse: digits only (optional leading '-'), no overflow.
bool parse_int64(std::string_view text, long long& out);

// The fields of a /proc/<pid>/stat line after the command name, which may hold spaces and
// parentheses; empty when there is no name. proc_stat_index gives a proc(5) field number's
// place: fields[proc_stat_index(14)] is utime.
std::vector<std::string> proc_stat_fields(std::string_view text);
constexpr std::size_t proc_stat_index(int field) {
  return static_cast<std::size_t>(field - 3);
}

}  // namespace ia
