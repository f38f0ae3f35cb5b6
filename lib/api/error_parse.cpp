// error_from_body lives apart from errors.cpp so that tools which only write errors
// (ia-idle, ia-sandbox) do not link the JSON parser and pay for its start-up.
#include "api/errors.hpp"
#include "json/value.hpp"

namespace ia::api {

Error error_from_body(int status, std::string_view body) {
  Result<json::Value> parsed = json::parse(body);
  if (parsed) {
    const json::Value* error = parsed->find("error");
    const json::Value* code = error ? error->find("code") : nullptr;
    const json::Value* message = error ? error->find("message") : nullptr;
    const json::Value* details = error ? error->find("details") : nullptr;
    if (code && code->is_string() && message && message->is_string()) {
      return Error{from_wire_code(code->as_string()), message->as_string(),
                   details && details->is_string() ? details->as_string() : ""};
    }
  }
  return Error{code_for_status(status), "server answered HTTP " + std::to_string(status), {}};
}

}  // namespace ia::api
