#include "server/params.hpp"

#include <string>

#include "core/strings.hpp"

namespace ia::server {

Result<std::int64_t> int_param(const http::Request& request, std::string_view name,
                               std::int64_t fallback, std::int64_t min, std::int64_t max) {
  const std::string* text = request.param(name);
  if (!text) return fallback;
  long long value = 0;
  if (!parse_int64(*text, value) || value < min || value > max) {
    return make_error(ErrorCode::invalid_argument,
                      std::string(name) + ": must be an integer from " + std::to_string(min) +
                          " to " + std::to_string(max) + ", got '" + text->substr(0, 32) + "'");
  }
  return static_cast<std::int64_t>(value);
}

}  // namespace ia::server
