// http::Client: the HTTP/1.1 client the tools, the node agent, tests and benchmarks use to
// reach ia-sched (libcurl underneath): bearer token, timeouts, keep-alive, failures as
// ia::Error. Thread safe: each request takes a connection handle from a small pool, so
// the node's loop and its lease thread share one client. interrupt() makes requests in
// flight return early (ErrorCode::timeout), from any thread.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/units.hpp"
#include "json/value.hpp"

namespace ia::http {

struct ClientOptions {
  std::string base_url = "http://127.0.0.1:8000";
  std::string token;  // sent as "Authorization: Bearer <token>" when not empty
  Millis timeout{30'000};  // per request, unless the call names its own
  Millis connect_timeout{5'000};
  bool verify_tls = true;
  std::string ca_file;  // extra CA bundle for https
};

struct ClientResponse {
  int status = 0;
  std::string body;
};

// libcurl's global set-up, once per process (Client's constructor calls it too).
void global_init();

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Any HTTP status is a response; only transport failures are errors (unavailable when
  // nothing answers). timeout 0: the client's default (long polls pass their wait plus a
  // margin).
  Result<ClientResponse> request(std::string_view method, std::string_view path,
                                 std::string_view body = {}, Millis timeout = Millis(0));
  Result<ClientResponse> get(std::string_view path, Millis timeout = Millis(0)) {
    return request("GET", path, {}, timeout);
  }
  Result<ClientResponse> post(std::string_view path, std::string_view body,
                              Millis timeout = Millis(0)) {
    return request("POST", path, body, timeout);
  }
  Result<ClientResponse> del(std::string_view path, Millis timeout = Millis(0)) {
    return request("DELETE", path, {}, timeout);
  }
  // request() and then the body of a 2xx answer, or the server's error object as Error.
  Result<std::string> call(std::string_view method, std::string_view path,
                           std::string_view body = {}, Millis timeout = Millis(0));

  void interrupt() { m_interrupted = true; }
  void resume() { m_interrupted = false; }
  const ClientOptions& options() const { return m_options; }

 private:
  void* take_handle();
  void give_back(void* handle);

  ClientOptions m_options;
  std::atomic<bool> m_interrupted{false};
  std::mutex m_pool_mutex;
  std::vector<void*> m_pool;
};

// A 2xx answer's body as JSON (null for an empty body); any other status becomes the
// server's error object as an ia::Error (api::error_from_body).
Result<json::Value> json_or_error(const Result<ClientResponse>& response);

}  // namespace ia::http
