#include "client/batch.hpp"

#include "core/file.hpp"
#include "core/strings.hpp"

namespace ia::client {
namespace {

// Room for the most tasks one command may submit, each with a line of arguments; the
// bound keeps a wrong path (/dev/zero) from filling memory.
constexpr std::size_t k_max_each_file_bytes = 16 << 20;

Error bad_array(const std::string& spec, const std::string& why) {
  return make_error(ErrorCode::invalid_argument, "invalid --array '" + spec + "': " + why,
                    "write A-B or A-B:STEP with whole numbers, e.g. --array 1-100");
}

bool name_char(char c, bool first) {
  bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  return letter || (!first && c >= '0' && c <= '9');
}

}  // namespace

Result<std::vector<std::int64_t>> parse_array(const std::string& spec, std::size_t max_count) {
  std::string range = spec;
  long long step = 1;
  if (std::size_t colon = spec.find(':'); colon != std::string::npos) {
    range = spec.substr(0, colon);
    if (!parse_int64(spec.substr(colon + 1), step) || step <= 0) {
      return bad_array(spec, "the step must be a positive whole number");
    }
  }
  long long first = 0, last = 0;
  std::size_t dash = range.find('-', 1);
  if (dash == std::string::npos) {
    if (!parse_int64(range, first)) return bad_array(spec, "not a number");
    last = first;
  } else if (!parse_int64(range.substr(0, dash), first) ||
             !parse_int64(range.substr(dash + 1), last)) {
    return bad_array(spec, "both ends must be whole numbers");
  }
  if (first < 0 || last < first) return bad_array(spec, "the range must run upwards from 0 or more");
  // Counted before any index is made, so that a huge range costs nothing; the indices come
  // from the count, since first + step may pass INT64_MAX.
  std::uint64_t count = static_cast<std::uint64_t>(last - first) / static_cast<std::uint64_t>(step) + 1;
  if (count > max_count) {
    return make_error(ErrorCode::invalid_argument,
                      "--array '" + spec + "' makes " + std::to_string(count) +
                          " tasks, more than the limit of " + std::to_string(max_count) +
                          " for one command",
                      "split the range over several ia-submit calls, or use a larger STEP");
  }
  std::vector<std::int64_t> indices;
  indices.reserve(count);
  for (std::uint64_t k = 0; k < count; ++k) {
    indices.push_back(first + static_cast<std::int64_t>(k) * step);
  }
  return indices;
}

Result<std::pair<std::string, std::string>> parse_assignment(const std::string& text,
                                                             bool strict_name) {
  std::size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0) {
    return make_error(ErrorCode::invalid_argument, "'" + text + "' is not KEY=VALUE",
                      strict_name ? "write it as NAME=value, e.g. --env SEED=42"
                                  : "write it as key=value, e.g. --label gpu=a100");
  }
  std::string key = text.substr(0, equals);
  if (strict_name) {
    for (std::size_t i = 0; i < key.size(); ++i) {
      if (!name_char(key[i], i == 0)) {
        return make_error(ErrorCode::invalid_argument,
                          "'" + key + "' is not a valid variable name",
                          "use letters, digits and '_', not starting with a digit");
      }
    }
  }
  return std::pair{key, text.substr(equals + 1)};
}

Result<std::vector<std::string>> split_arguments(const std::string& line) {
  std::vector<std::string> args;
  std::string current;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < line.size()) {
        current += line[++i];
      } else {
        current += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      current += line[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) args.push_back(std::move(current));
      current.clear();
      in_word = false;
    } else {
      current += c;
      in_word = true;
    }
  }
  if (quote) {
    return make_error(ErrorCode::invalid_argument,
                      "unterminated " + std::string(1, quote) + " quote in '" + line + "'");
  }
  if (in_word) args.push_back(std::move(current));
  return args;
}

Result<std::vector<std::vector<std::string>>> read_each_file(const std::string& path) {
  Result<std::string> text = read_file(path, k_max_each_file_bytes);
  if (!text) {
    // Missing, a directory or too large: the caller's mistake (exit 2), not a missing task.
    Error error = std::move(text).error();
    error.code = ErrorCode::invalid_argument;
    error.hint = "give --each a file with one task's arguments per line";
    return error;
  }
  std::vector<std::vector<std::string>> lists;
  int number = 0;
  for (const std::string& raw : split(*text, '\n')) {
    ++number;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    Result<std::vector<std::string>> args = split_arguments(std::string(line));
    if (!args) {
      Error error = std::move(args).error();
      error.message = path + ":" + std::to_string(number) + ": " + error.message;
      return error;
    }
    lists.push_back(std::move(args).value());
  }
  if (lists.empty()) {
    return make_error(ErrorCode::invalid_argument, path + " has no lines to submit",
                      "write one task's arguments per line");
  }
  return lists;
}

}  // namespace ia::client
