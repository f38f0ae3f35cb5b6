// ia::Error: an expected failure (bad input, missing file, refused connection) with a
// message saying what went wrong and a hint saying what to do about it.
// Plain value type; safe to copy between threads.
#pragma once

#include <string>
#include <string_view>

namespace ia {

// One list of failure kinds for the whole project; api/ maps them to the wire codes
// and HTTP statuses of DESIGN.md §3, cli/ to exit codes.
enum class ErrorCode {
  invalid_argument,   // bad input from a user or a peer
  not_found,          // generic unknown id, file or key
  task_not_found,
  node_not_found,
  unauthorized,
  forbidden,
  conflict,
  payload_too_large,
  timeout,
  rate_limited,
  unavailable,        // a peer or resource cannot be reached right now
  io,                 // a system call failed
  unsupported,        // the platform or kernel lacks a feature
  internal,
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;  // what went wrong, naming the thing
  std::string hint;     // what to do about it; may be empty

  // "message" or "message (hint: ...)" for logs.
  std::string describe() const;
};

Error make_error(ErrorCode code, std::string message, std::string hint = {});

// An Error for a failed system call: "open /etc/x: Permission denied".
// Reads errno, so call it straight after the failing call.
Error system_error(std::string_view operation, std::string_view path = {});
Error system_error(std::string_view operation, std::string_view path, int err);

}  // namespace ia
