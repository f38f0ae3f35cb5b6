// Query parameters the routes read, checked the same way everywhere. Pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.hpp"
#include "http/message.hpp"

namespace ia::server {

// The integer parameter, fallback when absent, or an error naming it and its range.
Result<std::int64_t> int_param(const http::Request& request, std::string_view name,
                               std::int64_t fallback, std::int64_t min, std::int64_t max);

}  // namespace ia::server
