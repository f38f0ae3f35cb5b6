// Reading a JSON request object field by field, with errors that name the bad field
// ("timeout: must be a number from 1 to 604800, got -5"). Used by every wire type's
// parser. Pure functions over json::Value; thread safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "json/value.hpp"

namespace ia::api {

// Parses a request body that must be a JSON object.
Result<json::Value> parse_object(std::string_view body);

// What a string field may hold. Most reach a command line or an environment, where a
// NUL byte cuts them short, or a one-line listing or the store's line-separated
// columns, where a newline splits them. Scripts and output may hold any bytes.
enum class Chars { any, no_nul, printable };

class Fields {
 public:
  // prefix names the enclosing object in messages ("resources.").
  explicit Fields(const json::Value& object, std::string prefix = {})
      : m_object(object), m_prefix(std::move(prefix)) {}

  bool has(std::string_view key) const;
  Result<std::string> string(std::string_view key, bool required, std::size_t max_len,
                             Chars chars = Chars::printable) const;
  Result<std::int64_t> integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                               std::int64_t max) const;
  Result<std::int64_t> required_integer(std::string_view key, std::int64_t min,
                                        std::int64_t max) const;
  Result<double> number(std::string_view key, double fallback, double min, double max) const;
  Result<bool> boolean(std::string_view key, bool fallback) const;
  Result<std::vector<std::string>> strings(std::string_view key, std::size_t max_items,
                                           std::size_t max_len,
                                           Chars chars = Chars::printable) const;
  // Whether text holds only what chars allows; the error names key ("env.PATH: ...").
  Status check_chars(std::string_view key, std::string_view text, Chars chars) const;
  // An object (or absent/null: nullptr); a non-object is an error.
  Result<const json::Value*> object(std::string_view key) const;

  Error invalid(std::string_view key, std::string_view what) const;

 private:
  const json::Value* present(std::string_view key) const;

  const json::Value& m_object;
  std::string m_prefix;
};

}  // namespace ia::api
