#include "config/value_parse.hpp"

#include <cmath>
#include <cstdlib>

#include "core/strings.hpp"

namespace ia::config {
namespace {

Error wrong_type(const KeyDef& def, std::string_view text) {
  return make_error(ErrorCode::invalid_argument,
                    "[" + std::string(def.section) + "] " + std::string(def.key) + " must be " +
                        std::string(type_name(def.type)) + ", got '" + std::string(text) + "'");
}

bool parse_double(std::string_view text, double& out) {
  if (text.empty()) return false;
  std::string copy(text);
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

std::optional<double> numeric(const Scalar& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  return std::nullopt;
}

// A bound or an out-of-range value in the key's own units: "10s", not 10000 (ms); "-1",
// not the 16777216T that -1 bytes reads as unsigned.
std::string range_text(const KeyDef& def, double number) {
  if (number < 0) return format_decimal(number, 3);
  if (def.type == Type::duration) return format_duration(Millis(std::llround(number)));
  if (def.type == Type::bytes) return format_bytes(static_cast<std::uint64_t>(number));
  return format_decimal(number, 3);
}

}  // namespace

Status check_range(const KeyDef& def, const Scalar& value) {
  std::optional<double> number = numeric(value);
  if (!number) return {};
  // nan passes every comparison, so no range would stop it; TOML and strtod both read it.
  if (!std::isfinite(*number)) {
    return make_error(ErrorCode::invalid_argument,
                      "[" + std::string(def.section) + "] " + std::string(def.key) +
                          " must be a finite number, got " + display_scalar(def, value));
  }
  std::optional<double> low = def.min, high = def.max;
  if (def.type == Type::percent) {
    low = low.value_or(0.0);
    high = high.value_or(100.0);
  }
  if (def.type == Type::integer || def.type == Type::bytes || def.type == Type::duration) {
    low = low.value_or(0.0);
  }
  bool too_low = low && *number < *low;
  bool too_high = high && *number > *high;
  if (!too_low && !too_high) return {};
  std::string range = "[" + std::string(def.section) + "] " + std::string(def.key) +
                      " is out of range";
  return make_error(
      ErrorCode::invalid_argument, range + " (" + range_text(def, *number) + ")",
      low && high ? "use a value from " + range_text(def, *low) + " to " + range_text(def, *high)
                  : "use a value of at least " + range_text(def, low.value_or(0)));
}

Result<Scalar> parse_text(const KeyDef& def, std::string_view text) {
  Scalar value;
  switch (def.type) {
    case Type::string:
      value = std::string(text);
      break;
    case Type::boolean: {
      std::string lower = to_lower(text);
      if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") {
        value = true;
      } else if (lower == "false" || lower == "0" || lower == "no" || lower == "off") {
        value = false;
      } else {
        return wrong_type(def, text);
      }
      break;
    }
    case Type::integer: {
      long long number = 0;
      if (!parse_int64(text, number)) return wrong_type(def, text);
      value = static_cast<std::int64_t>(number);
      break;
    }
    case Type::number:
    case Type::percent: {
      double number = 0;
      std::string_view digits = text;
      if (def.type == Type::percent && !digits.empty() && digits.back() == '%') {
        digits.remove_suffix(1);
      }
      if (!parse_double(digits, number)) return wrong_type(def, text);
      value = number;
      break;
    }
    case Type::duration: {
      Result<Millis> ms = parse_duration(text);
      if (!ms) return wrong_type(def, text);
      value = static_cast<std::int64_t>(ms->count());
      break;
    }
    case Type::bytes: {
      Result<std::uint64_t> bytes = parse_bytes(text);
      if (!bytes) return wrong_type(def, text);
      value = static_cast<std::int64_t>(*bytes);
      break;
    }
    case Type::string_list: {
      std::vector<std::string> items;
      for (const std::string& item : split(text, ',')) {
        std::string_view trimmed = trim(item);
        if (!trimmed.empty()) items.emplace_back(trimmed);
      }
      value = std::move(items);
      break;
    }
  }
  IA_TRY(check_range(def, value));
  return value;
}

std::string display_scalar(const KeyDef& def, const Scalar& value) {
  switch (def.type) {
    case Type::string: return std::get<std::string>(value);
    case Type::boolean: return std::get<bool>(value) ? "true" : "false";
    case Type::integer: return std::to_string(std::get<std::int64_t>(value));
    case Type::number:
    case Type::percent: return format_decimal(std::get<double>(value), 3);
    case Type::duration: return format_duration(Millis(std::get<std::int64_t>(value)));
    case Type::bytes:
      return format_bytes(static_cast<std::uint64_t>(std::get<std::int64_t>(value)));
    case Type::string_list: return join(std::get<std::vector<std::string>>(value), ",");
  }
  return "";
}

}  // namespace ia::config
