#include "cli/flag_checks.hpp"

#include <cmath>
#include <cstdlib>

#include "core/strings.hpp"

namespace ia::cli {
namespace {

bool parse_finite(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(value);
}

}  // namespace

CLI::Validator number_between(double min, double max, bool above_min) {
  std::string low = format_decimal(min, 3), high = format_decimal(max, 3);
  std::string range =
      above_min ? "above " + low + " and at most " + high : "from " + low + " to " + high;
  std::string shown = above_min ? "(" + low + " - " + high + "]" : "[" + low + " - " + high + "]";
  auto check = [=](std::string& text) -> std::string {
    double value = 0;
    if (!parse_finite(text, value)) return "'" + text + "' is not a number: give one " + range;
    bool low_ok = above_min ? value > min : value >= min;
    if (!low_ok || value > max) return "'" + text + "' is out of range: give a number " + range;
    return {};
  };
  return CLI::Validator(check, "in " + shown);
}

}  // namespace ia::cli
