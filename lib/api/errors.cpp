#include "api/errors.hpp"

#include <array>

#include "json/writer.hpp"

namespace ia::api {
namespace {

struct WireError {
  ErrorCode code;
  std::string_view wire;
  int status;
};

constexpr std::array<WireError, 14> k_table{{
    {ErrorCode::invalid_argument, "INVALID_REQUEST", 400},
    {ErrorCode::unauthorized, "UNAUTHORIZED", 401},
    {ErrorCode::forbidden, "FORBIDDEN", 403},
    {ErrorCode::not_found, "NOT_FOUND", 404},
    {ErrorCode::task_not_found, "TASK_NOT_FOUND", 404},
    {ErrorCode::node_not_found, "NODE_NOT_FOUND", 404},
    {ErrorCode::conflict, "CONFLICT", 409},
    {ErrorCode::payload_too_large, "PAYLOAD_TOO_LARGE", 413},
    {ErrorCode::timeout, "TASK_TIMEOUT", 408},
    {ErrorCode::rate_limited, "RATE_LIMITED", 429},
    {ErrorCode::unavailable, "RESOURCE_UNAVAILABLE", 503},
    {ErrorCode::unsupported, "INVALID_REQUEST", 400},
    {ErrorCode::internal, "INTERNAL_ERROR", 500},
    {ErrorCode::io, "INTERNAL_ERROR", 500},
}};

}  // namespace

std::string_view wire_code(ErrorCode code) {
  for (const WireError& entry : k_table) {
    if (entry.code == code) return entry.wire;
  }
  return "INTERNAL_ERROR";
}

int http_status(ErrorCode code) {
  for (const WireError& entry : k_table) {
    if (entry.code == code) return entry.status;
  }
  return 500;
}

ErrorCode from_wire_code(std::string_view wire) {
  for (const WireError& entry : k_table) {
    if (entry.wire == wire) return entry.code;
  }
  return ErrorCode::internal;
}

std::string error_body(const Error& error) {
  json::Writer writer;
  writer.begin_object().key("error").begin_object();
  writer.field("code", wire_code(error.code));
  writer.field("message", error.message);
  writer.field("details", error.hint);
  writer.end_object().end_object();
  return writer.take();
}

ErrorCode code_for_status(int status) {
  for (const WireError& entry : k_table) {
    if (entry.status == status) return entry.code;
  }
  return ErrorCode::internal;
}

}  // namespace ia::api
