#include "core/error.hpp"

#include <cerrno>
#include <cstring>

namespace ia {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::task_not_found: return "task_not_found";
    case ErrorCode::node_not_found: return "node_not_found";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::payload_too_large: return "payload_too_large";
    case ErrorCode::timeout: return "timeout";
    case ErrorCode::rate_limited: return "rate_limited";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::io: return "io";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

std::string Error::describe() const {
  if (hint.empty()) return message;
  return message + " (hint: " + hint + ")";
}

Error make_error(ErrorCode code, std::string message, std::string hint) {
  return Error{code, std::move(message), std::move(hint)};
}

Error system_error(std::string_view operation, std::string_view path) {
  return system_error(operation, path, errno);
}

Error system_error(std::string_view operation, std::string_view path, int err) {
  std::string message(operation);
  if (!path.empty()) {
    message += ' ';
    message += path;
  }
  message += ": ";
  message += std::strerror(err);
  ErrorCode code = ErrorCode::io;
  if (err == ENOENT) code = ErrorCode::not_found;
  if (err == EACCES || err == EPERM) code = ErrorCode::forbidden;
  return Error{code, std::move(message), {}};
}

}  // namespace ia
