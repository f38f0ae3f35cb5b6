// http::Client: the HTTP/1.1 client the tools and the node agent use to reach ia-sched
// (libcurl underneath). Requests may run from several threads at once: each takes a
// connection handle from a small pool, so keep-alive connections are reused. interrupt()
// makes requests in flight return early (ErrorCode::timeout) from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/units.hpp"
#include "json/value.hpp"

namespace ia::http {

struct ClientOptions {
  std::string base_url = "http://127.0.0.1:8000";
  std::string token;          // sent as "Authorization: Bearer <token>" when not empty
  Millis timeout{30'000};     // per request, unless the call names its own
  bool verify_tls = true;
  std::string ca_file;        // extra CA bundle for https
};

struct Response {
  int status = 0;
  std::string body;
};

// Once per process, before any thread makes requests (libcurl's global set-up).
void global_init();

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // timeout 0 uses the client's default. Transport failures are Errors (unavailable when
  // nothing answers); any HTTP status, 4xx and 5xx included, is a Response.
  Result<Response> get(const std::string& path, Millis timeout = Millis(0));
  Result<Response> post(const std::string& path, const std::string& body,
                        Millis timeout = Millis(0));
  Result<Response> del(const std::string& path, Millis timeout = Millis(0));

  void interrupt() { m_interrupted = true; }
  void resume() { m_interrupted = false; }
  const ClientOptions& options() const { return m_options; }

 private:
  Result<Response> request(const char* method, const std::string& path, const std::string* body,
                           Millis timeout);
  void* take_handle();
  void give_back(void* handle);

  ClientOptions m_options;
  std::atomic<bool> m_interrupted{false};
  std::mutex m_pool_mutex;
  std::vector<void*> m_pool;
};

// A 2xx answer's body as JSON; any other status becomes the server's error object as an
// ia::Error (api::error_from_body).
Result<json::Value> json_or_error(const Result<Response>& response);

}  // namespace ia::http
