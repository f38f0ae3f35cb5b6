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
  Result<json::Value> answer = json::parse(response->body);
  if (answer) return answer;
  // The caller's request was fine; what answered is not an ia-sched (a proxy's HTML page,
  // say), which is a failure of its own, not a bad argument.
  return make_error(ErrorCode::internal,
                    "the server's answer is not JSON (" + answer.error().message + ")",
                    "check that client.server names an ia-sched, not a proxy or web page");
}

}  // namespace ia::http
