// http::LeanClient: http::Client's requests on Boost.Beast instead of libcurl, for the node
// agent, which waits for work for days: libcurl and the TLS and directory libraries it
// loads cost ~8 MB of resident pages before the first request (bench/node/run). Same
// options, answers and errors as http::Client. Thread safe: one connection per caller
// from a small pool; interrupt() cuts requests in flight short from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/units.hpp"
#include "http/client.hpp"

namespace ia::http {

// The parts of a base URL: "https://[::1]:8443/ia" -> tls, "::1", "8443", "/ia".
struct BaseUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string prefix;  // path before every request's own, without a trailing '/'
};
Result<BaseUrl> parse_base_url(std::string_view url);

class LeanClient {
 public:
  // Fails on a URL that is not http:// or https://.
  static Result<std::unique_ptr<LeanClient>> create(ClientOptions options);
  ~LeanClient();
  LeanClient(const LeanClient&) = delete;
  LeanClient& operator=(const LeanClient&) = delete;

  // As http::Client::request: any status is a response, transport failures are errors.
  Result<ClientResponse> request(std::string_view method, std::string_view path,
                                 std::string_view body = {}, Millis timeout = Millis(0));
  Result<ClientResponse> post(std::string_view path, std::string_view body,
                              Millis timeout = Millis(0)) {
    return request("POST", path, body, timeout);
  }
  // Requests in flight end at once with ErrorCode::timeout, and new ones too until resume().
  void interrupt();
  void resume() { m_interrupted = false; }

  struct Connection;

 private:
  LeanClient(ClientOptions options, BaseUrl url);
  std::shared_ptr<Connection> take();
  void give_back(std::shared_ptr<Connection> connection);

  ClientOptions m_options;
  BaseUrl m_url;
  std::atomic<bool> m_interrupted{false};
  std::mutex m_mutex;  // guards the two lists below
  std::vector<std::shared_ptr<Connection>> m_idle;
  std::vector<std::shared_ptr<Connection>> m_busy;
};

}  // namespace ia::http
