// The wire form of ia::Error (DESIGN.md §3): the error codes, their HTTP statuses, and
// the {"error": {"code", "message", "details"}} object. Shared by server and clients.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "json/value.hpp"

namespace ia::api {

std::string_view wire_code(ErrorCode code);   // "TASK_NOT_FOUND"
int http_status(ErrorCode code);              // 404
ErrorCode from_wire_code(std::string_view wire);
ErrorCode code_for_status(int http_status);  // 404 -> not_found; unknown -> internal

// {"error":{"code":"...","message":"...","details":"..."}}
std::string error_body(const Error& error);

// Reads an error object back (a client receiving one). Falls back to the HTTP status.
Error error_from_body(int http_status, std::string_view body);

}  // namespace ia::api
