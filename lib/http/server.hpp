// An HTTP/1.1 server, plain or TLS (Boost.Beast over asio and OpenSSL, hidden in
// server.cpp): a thread per core, asynchronous, keep-alive, limits on body, header and
// slow clients. Requests go to one Handler that answers through a Reply, at once or
// later (long-poll) without holding a thread. Thread safe; stop() is graceful.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "core/units.hpp"
#include "http/message.hpp"

namespace ia::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;  // 0: pick a free port
  int threads = 0;  // 0: one per core
  std::size_t max_body = 1024 * 1024;
  std::size_t max_header = 16 * 1024;
  Millis header_timeout{10'000};  // TLS handshake, a new connection's first byte, and
                                  // a request's header once its first byte is in
  Millis read_timeout{30'000};    // a request's body after its header; writing an answer
  Millis idle_timeout{75'000};    // a kept-alive connection may sit idle this long
  std::string tls_cert;           // PEM files, both or neither; neither: plain HTTP
  std::string tls_key;
  // Connections open at once, in all and from one peer (an IPv4 address, an IPv6 /64).
  // Past either, a new connection's request is answered 503 or 429 with Retry-After
  // and the connection closed; those being refused are bounded too (k_max_refusing),
  // past that a new one is closed at once. Nobody already connected waits for them.
  std::size_t max_connections = 20'000;
  std::size_t max_connections_per_address = 2'000;
  // An event stream's bytes not yet taken by its reader: queued here (past it the stream
  // ends, and the reader resumes with Last-Event-ID) and in the kernel's send buffer.
  std::size_t max_stream_queue = 256 * 1024;
  std::size_t stream_send_buffer = 64 * 1024;
};

class Server {
 public:
  // Binds, listens and starts the threads.
  static Result<std::unique_ptr<Server>> start(const ServerOptions& options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;
  // Runs fn on a server thread after delay (timers for long-poll deadlines).
  void schedule(Millis delay, std::function<void()> fn);
  // Stops accepting, waits up to grace for requests in flight to be answered, then
  // closes every connection and joins the threads.
  void stop(Millis grace);
  std::size_t in_flight() const;
  // Connections served now (refused ones not counted).
  std::size_t connections() const;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

// Loads the TLS certificate and key the options name (when any) and checks that they
// match, so a program can refuse bad files before it starts anything else.
Status check_tls(const ServerOptions& options);

// Whether host names a loopback address (127.0.0.0/8, ::1, localhost).
bool is_loopback(const std::string& host);

}  // namespace ia::http
