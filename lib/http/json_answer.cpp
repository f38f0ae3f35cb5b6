// json_or_error (declared in client.hpp) lives apart from client.cpp so that callers of
// http::LeanClient use it without linking libcurl.
#include "api/errors.hpp"
#include "http/client.hpp"

namespace ia::http {

Result<json::Value> json_or_error(const Result<ClientResponse>& response) {
  if (!response) return response.error();
  if (response->status < 200 || response->status > 299) {
    return api::error_from_body(response->status, response->body);
  }
  if (response->body.empty()) return json::Value(nullptr);
  return json::parse(response->body);
}

}  // namespace ia::http
