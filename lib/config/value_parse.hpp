// Turning text (defaults, IA_* variables, flags) into typed configuration values, and
// back into text for display. Pure functions.
#pragma once

#include <string_view>

#include "config/config.hpp"

namespace ia::config {

Result<Scalar> parse_text(const KeyDef& def, std::string_view text);

// Checks min/max and percent bounds of a parsed value.
Status check_range(const KeyDef& def, const Scalar& value);

std::string display_scalar(const KeyDef& def, const Scalar& value);

}  // namespace ia::config
