// A small blocking HTTP client (libcurl) for the tools that talk to ia-sched and for
// tests and benchmarks: bearer token, timeouts, keep-alive across calls, failures as
// ia::Error. One Client per thread; it is not thread safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/units.hpp"

namespace ia::http {

struct ClientOptions {
  std::string base_url = "http://127.0.0.1:8000";
  std::string token;
  Millis timeout{30'000};
  Millis connect_timeout{5'000};
  bool verify_tls = true;
};

struct ClientResponse {
  int status = 0;
  std::string body;
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Any HTTP status is a response; only transport failures are errors. timeout 0: the
  // client's default (long-polls pass their wait plus a margin).
  Result<ClientResponse> request(std::string_view method, std::string_view path,
                                 std::string_view body = {}, Millis timeout = Millis(0));
  Result<ClientResponse> get(std::string_view path) { return request("GET", path); }
  Result<ClientResponse> post(std::string_view path, std::string_view body) {
    return request("POST", path, body);
  }
  Result<ClientResponse> del(std::string_view path) { return request("DELETE", path); }

  // request() and then the body of a 2xx answer, or the server's error object as Error.
  Result<std::string> call(std::string_view method, std::string_view path,
                           std::string_view body = {}, Millis timeout = Millis(0));

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace ia::http
