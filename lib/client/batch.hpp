// Expanding one ia-submit call into many tasks: --array A-B[:STEP] ranges, --each FILE
// lines, and KEY=VALUE assignments for --env and --label. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace ia::client {

// "1-100", "0-20:5", "7" -> the indices; at most max_count of them.
Result<std::vector<std::int64_t>> parse_array(const std::string& spec, std::size_t max_count);

// "K=V" -> {K, V}; K must be a shell-style name ([A-Za-z_][A-Za-z0-9_]*) when strict_name.
Result<std::pair<std::string, std::string>> parse_assignment(const std::string& text,
                                                             bool strict_name);

// Splits a --each line into arguments: whitespace separates, single and double quotes
// group, backslash escapes. Unterminated quotes are an error naming the line.
Result<std::vector<std::string>> split_arguments(const std::string& line);

// Reads --each FILE: one argument list per non-empty line that is not a '#' comment.
Result<std::vector<std::vector<std::string>>> read_each_file(const std::string& path);

}  // namespace ia::client
