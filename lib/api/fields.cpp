#include "api/fields.hpp"

#include <cmath>

#include "core/strings.hpp"
#include "json/writer.hpp"

namespace ia::api {

Result<json::Value> parse_object(std::string_view body) {
  Result<json::Value> parsed = json::parse(body);
  if (!parsed) {
    return make_error(ErrorCode::invalid_argument, "request body: " + parsed.error().message,
                      "send a JSON object with Content-Type: application/json");
  }
  if (!parsed->is_object()) {
    return make_error(ErrorCode::invalid_argument,
                      "request body: expected a JSON object, got " +
                          std::string(parsed->type_name()));
  }
  return parsed;
}

Error Fields::invalid(std::string_view key, std::string_view what) const {
  return make_error(ErrorCode::invalid_argument, m_prefix + std::string(key) + ": " +
                                                     std::string(what));
}

bool Fields::has(std::string_view key) const { return present(key) != nullptr; }

// A member set to null counts as absent, as clients often send "name": null.
const json::Value* Fields::present(std::string_view key) const {
  const json::Value* value = m_object.find(key);
  return value && !value->is_null() ? value : nullptr;
}

Status Fields::check_chars(std::string_view key, std::string_view text, Chars chars) const {
  if (chars == Chars::any) return {};
  std::size_t at = chars == Chars::printable ? find_control(text) : text.find('\0');
  if (at == std::string_view::npos) return {};
  if (text[at] == '\0') {
    return invalid(key, "holds a NUL byte (at byte " + std::to_string(at) +
                            "), which a command line or environment cannot carry");
  }
  return invalid(key, "holds the control character " +
                          hex_byte(static_cast<unsigned char>(text[at])) + " (at byte " +
                          std::to_string(at) + "); use printable text");
}

Result<std::string> Fields::string(std::string_view key, bool required, std::size_t max_len,
                                   Chars chars) const {
  const json::Value* value = present(key);
  if (!value) {
    if (required) return invalid(key, "missing required field");
    return std::string();
  }
  if (!value->is_string()) {
    return invalid(key, "must be a string, got " + std::string(value->type_name()));
  }
  if (value->as_string().size() > max_len) {
    return invalid(key, "longer than " + std::to_string(max_len) + " bytes");
  }
  IA_TRY(check_chars(key, value->as_string(), chars));
  return value->as_string();
}

Result<std::int64_t> Fields::required_integer(std::string_view key, std::int64_t min,
                                              std::int64_t max) const {
  if (!present(key)) return invalid(key, "missing required field");
  return integer(key, 0, min, max);
}

Result<std::int64_t> Fields::integer(std::string_view key, std::int64_t fallback,
                                     std::int64_t min, std::int64_t max) const {
  const json::Value* value = present(key);
  if (!value) return fallback;
  std::string range = "must be an integer from " + std::to_string(min) + " to " +
                      std::to_string(max);
  std::int64_t number = 0;
  if (value->is_int()) {
    number = value->as_int();
  } else if (value->is_double() && std::isfinite(value->as_double()) &&
             std::floor(value->as_double()) == value->as_double() &&
             std::fabs(value->as_double()) < 9e15) {
    number = static_cast<std::int64_t>(value->as_double());
  } else if (value->is_number()) {
    return invalid(key, range + ", got " + json::serialize(*value));
  } else {
    return invalid(key, range + ", got " + std::string(value->type_name()));
  }
  if (number < min || number > max) {
    return invalid(key, range + ", got " + std::to_string(number));
  }
  return number;
}

Result<double> Fields::number(std::string_view key, double fallback, double min,
                              double max) const {
  const json::Value* value = present(key);
  if (!value) return fallback;
  std::string range = "must be a number from " + format_decimal(min, 3) + " to " +
                      format_decimal(max, 3);
  if (!value->is_number()) {
    return invalid(key, range + ", got " + std::string(value->type_name()));
  }
  double number = value->as_double();
  if (!std::isfinite(number) || number < min || number > max) {
    return invalid(key, range + ", got " + json::serialize(*value));
  }
  return number;
}

Result<bool> Fields::boolean(std::string_view key, bool fallback) const {
  const json::Value* value = present(key);
  if (!value) return fallback;
  if (!value->is_bool()) {
    return invalid(key, "must be true or false, got " + std::string(value->type_name()));
  }
  return value->as_bool();
}

Result<std::vector<std::string>> Fields::strings(std::string_view key, std::size_t max_items,
                                                 std::size_t max_len, Chars chars) const {
  std::vector<std::string> out;
  const json::Value* value = present(key);
  if (!value) return out;
  if (!value->is_array()) {
    return invalid(key, "must be an array of strings, got " + std::string(value->type_name()));
  }
  if (value->as_array().size() > max_items) {
    return invalid(key, "more than " + std::to_string(max_items) + " items");
  }
  for (const json::Value& item : value->as_array()) {
    if (!item.is_string()) {
      return invalid(key, "must be an array of strings, found " +
                              std::string(item.type_name()));
    }
    if (item.as_string().size() > max_len) {
      return invalid(key, "an item is longer than " + std::to_string(max_len) + " bytes");
    }
    IA_TRY(check_chars(std::string(key) + "[" + std::to_string(out.size()) + "]", item.as_string(),
                       chars));
    out.push_back(item.as_string());
  }
  return out;
}

Result<const json::Value*> Fields::object(std::string_view key) const {
  const json::Value* value = present(key);
  if (!value) return static_cast<const json::Value*>(nullptr);
  if (!value->is_object()) {
    return invalid(key, "must be an object, got " + std::string(value->type_name()));
  }
  return value;
}

}  // namespace ia::api
