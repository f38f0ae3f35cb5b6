// One connection of http::Server, written once for plain TCP and for TLS (S is
// beast::tcp_stream or asio::ssl::stream<beast::tcp_stream>). Internal: only server.cpp
// includes it. A session lives on its own strand; Reply and Stream calls post onto it.
#pragma once

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <type_traits>

#include "api/errors.hpp"
#include "core/strings.hpp"
#include "http/connection_limits.hpp"
#include "http/server.hpp"
#include "json/writer.hpp"

namespace ia::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = asio::ssl::stream<beast::tcp_stream>;

// Connections answered 429/503 at once, at most; past it they are closed unanswered.
constexpr std::size_t k_max_refusing = 128;
// A refused connection's request must come this soon; it holds a descriptor meanwhile.
constexpr Millis k_refusal_timeout{2'000};

// What every session shares with the server.
struct Shared {
  ServerOptions options;
  Handler handler;
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopping{false};
  // Shared with each session, which gives its count back when it ends, even after the
  // server (a parked reply may keep a session past it).
  std::shared_ptr<ConnectionLimits> limits;
};

// A new connection's place under the limits, given back when its session ends.
struct Admission {
  std::shared_ptr<ConnectionLimits> limits;
  ConnectionLimits::Verdict verdict = ConnectionLimits::Verdict::admitted;
  std::string key;  // the peer as the limits count it

  Admission() = default;
  Admission(std::shared_ptr<ConnectionLimits> table, std::string peer)
      : limits(std::move(table)), verdict(limits->admit(peer)), key(std::move(peer)) {}
  Admission(Admission&& other) noexcept
      : limits(std::move(other.limits)), verdict(other.verdict), key(std::move(other.key)) {}
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;
  Admission& operator=(Admission&&) = delete;
  ~Admission() {
    if (limits) limits->release(verdict, key);
  }
  bool refused() const { return verdict != ConnectionLimits::Verdict::admitted; }
};

// The wire error object (DESIGN.md §3) for failures caught before the handler runs:
// api's, so a client reads these as it reads the service's own.
inline std::string error_json(std::string_view code, std::string_view message) {
  return api::error_body(Error{api::from_wire_code(code), std::string(message), {}});
}

inline bool only_blank_lines(const beast::flat_buffer& buffer) {
  auto bytes = static_cast<const char*>(buffer.data().data());
  return std::all_of(bytes, bytes + buffer.size(), [](char c) { return c == '\r' || c == '\n'; });
}

// Connection for one request: runs the handler's callback when its answer is lost.
class Delivery final : public Connection {
 public:
  explicit Delivery(asio::any_io_executor executor) : m_executor(std::move(executor)) {}

  void on_undelivered(std::function<void()> fn) override {
    std::lock_guard lock(m_mutex);
    if (m_delivered) return;
    if (m_lost) {
      asio::post(m_executor, std::move(fn));
      return;
    }
    m_fn = std::move(fn);
  }
  void lost() {
    std::lock_guard lock(m_mutex);
    if (m_delivered || m_lost) return;
    m_lost = true;
    if (m_fn) asio::post(m_executor, std::move(m_fn));
  }
  void delivered() {
    std::lock_guard lock(m_mutex);
    if (!m_lost) m_delivered = true;
    m_fn = nullptr;
  }

 private:
  asio::any_io_executor m_executor;
  std::mutex m_mutex;
  std::function<void()> m_fn;
  bool m_lost = false;
  bool m_delivered = false;
};

template <class S>
class Session : public std::enable_shared_from_this<Session<S>> {
  static constexpr bool k_tls = std::is_same_v<S, TlsStream>;
  static constexpr std::size_t k_chunk = 4096;

 public:
  template <class... Tls>
  Session(tcp::socket socket, Shared& server, Admission admission, Tls&... tls)
      : m_stream(std::move(socket), tls...),
        m_server(server),
        m_idle(m_stream.get_executor()),
        m_admission(std::move(admission)) {}

  void start() {
    beast::error_code ec;
    tcp::endpoint peer = lowest().socket().remote_endpoint(ec);
    if (!ec) m_remote = peer.address().to_string();
    if constexpr (k_tls) {
      lowest().expires_after(first_timeout());
      lowest().async_read_some(m_buffer.prepare(k_chunk),
                               [self = this->shared_from_this()](beast::error_code error,
                                                                 std::size_t n) {
                                 self->on_first_bytes(error, n);
                               });
    } else {
      await_request();
    }
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(m_stream); }

  // The wait for a first request; short for a connection that is only to be refused.
  Millis first_timeout() const {
    Millis configured = m_server.options.header_timeout;
    return m_admission.refused() ? std::min(configured, k_refusal_timeout) : configured;
  }

  // A TLS connection opens with a handshake record (type 22); anything else is most
  // likely plain HTTP sent to the TLS port, which gets a readable answer.
  void on_first_bytes(beast::error_code ec, std::size_t n) {
    if (ec) return close();
    m_buffer.commit(n);
    auto first = static_cast<const unsigned char*>(m_buffer.data().data());
    if (first[0] != 22) return refuse_plain_http();
    m_stream.async_handshake(asio::ssl::stream_base::server, m_buffer.data(),
                             [self = this->shared_from_this()](beast::error_code error,
                                                               std::size_t used) {
                               if (error) return self->close();
                               self->m_buffer.consume(used);
                               self->await_request();
                             });
  }

  void refuse_plain_http() {
    std::string body = error_json("INVALID_REQUEST",
                                  "this port speaks HTTPS; use an https:// URL");
    auto text = std::make_shared<std::string>(
        "HTTP/1.1 400 Bad Request\r\nServer: ia-sched\r\nContent-Type: application/json\r\n"
        "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
        body);
    asio::async_write(lowest(), asio::buffer(*text),
                      [self = this->shared_from_this(), text](beast::error_code, std::size_t) {
                        self->close();
                      });
  }

  // Waits for the next request's first byte: a new connection for header_timeout, a
  // kept-alive one for idle_timeout. The read is the same one that watches for the peer
  // leaving while a request is in flight.
  void await_request() {
    if (m_buffer.size() > 0) return read_request();
    m_want_request = true;
    m_idle.expires_after(m_served == 0 ? first_timeout() : m_server.options.idle_timeout);
    m_idle.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec && self->m_want_request) self->close();
    });
    if (!m_watching) watch();
  }

  void watch() {
    m_watching = true;
    lowest().expires_never();
    m_stream.async_read_some(m_buffer.prepare(k_chunk),
                             [self = this->shared_from_this()](beast::error_code ec,
                                                               std::size_t n) {
                               self->on_watch(ec, n);
                             });
  }

  void on_watch(beast::error_code ec, std::size_t n) {
    m_watching = false;
    if (ec) return peer_left();
    m_buffer.commit(n);
    if (m_streaming) {
      m_buffer.consume(m_buffer.size());  // an event stream's peer has nothing to say
      return watch();
    }
    if (!m_want_request) {
      // Blank lines before a request are allowed (RFC 9112 2.2); some clients send one
      // after a body. Dropping them keeps the watch on a long-poll's peer leaving.
      if (only_blank_lines(m_buffer)) {
        m_buffer.consume(m_buffer.size());
        return watch();
      }
      return;  // pipelined: read once the answer in flight is out
    }
    m_want_request = false;
    m_idle.cancel();
    read_request();
  }

  void peer_left() {
    if (m_streaming) return end_stream();
    // An answer being written decides for itself: the peer may close as soon as it has
    // read it, before the write's completion runs; a failed write reports it lost.
    if (m_writing) {
      m_gone = true;
      return;
    }
    if (m_delivery) m_delivery->lost();
    close();
  }

  // The header must be complete within header_timeout of its first byte (slow-loris).
  void read_request() {
    m_parser.emplace();
    m_parser->body_limit(m_server.options.max_body);
    m_parser->header_limit(static_cast<std::uint32_t>(m_server.options.max_header));
    lowest().expires_after(first_timeout());
    bhttp::async_read_header(m_stream, m_buffer, *m_parser,
                             [self = this->shared_from_this()](beast::error_code ec,
                                                               std::size_t) {
                               self->on_header(ec);
                             });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_error(ec);
    if (m_admission.refused()) return refuse();
    lowest().expires_after(m_server.options.read_timeout);
    bhttp::async_read(m_stream, m_buffer, *m_parser,
                      [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                        self->on_read(error);
                      });
  }

  void on_error(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return fail(413, "PAYLOAD_TOO_LARGE",
                  "request body over " + std::to_string(m_server.options.max_body) + " bytes");
    }
    if (ec == bhttp::error::header_limit) {
      return fail(431, "INVALID_REQUEST", "request headers too large");
    }
    beast::error_code eos = bhttp::error::end_of_stream;
    if (ec.category() == eos.category() && ec != bhttp::error::end_of_stream &&
        ec != bhttp::error::partial_message) {
      return fail(400, "INVALID_REQUEST", "malformed HTTP request");
    }
    close();
  }

  void fail(int status, std::string_view code, const std::string& message,
            Headers headers = {}) {
    Response response;
    response.status = status;
    response.body = error_json(code, message);
    response.headers = std::move(headers);
    m_keep_alive = false;
    ++m_server.in_flight;
    write(std::move(response));
  }

  // Over a connection limit: the request is answered at once, and the connection closed.
  void refuse() {
    m_version = m_parser->get().version();
    const ServerOptions& options = m_server.options;
    if (m_admission.verdict == ConnectionLimits::Verdict::refused_address) {
      return fail(429, "RATE_LIMITED",
                  "this address has " + std::to_string(options.max_connections_per_address) +
                      " connections open to the server, its limit; close some or retry later",
                  {{"Retry-After", "5"}});
    }
    fail(503, "RESOURCE_UNAVAILABLE",
         "the server has " + std::to_string(options.max_connections) +
             " connections open, its limit; retry later",
         {{"Retry-After", "5"}});
  }

  void on_read(beast::error_code ec) {
    if (ec) return on_error(ec);
    auto& message = m_parser->get();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.remote = m_remote;
    for (const auto& field : message) {
      request.headers.emplace_back(to_lower(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    m_keep_alive = message.keep_alive() && !m_server.stopping;
    m_version = message.version();
    m_delivery = std::make_shared<Delivery>(m_stream.get_executor());
    request.connection = m_delivery;
    ++m_server.in_flight;
    // A long-poll may take its time (the handler bounds it); meanwhile a read notices
    // the peer leaving, so the handler can take back what it would have answered.
    if (m_buffer.size() == 0) watch();
    if (!split_target(request)) {
      Response response;
      response.status = 400;
      response.body = error_json("INVALID_REQUEST", "malformed request target");
      return write(std::move(response));
    }
    auto answered = std::make_shared<std::atomic<bool>>(false);
    m_server.handler(std::move(request),
                     [self = this->shared_from_this(), answered](Response response) {
                       if (answered->exchange(true)) return;
                       asio::post(self->m_stream.get_executor(),
                                  [self, response = std::move(response)]() mutable {
                                    self->write(std::move(response));
                                  });
                     });
  }

  void write(Response response) {
    if (response.on_stream) return open_stream(std::move(response));
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(m_version);
    out->result(static_cast<unsigned>(response.status));
    out->set(bhttp::field::server, "ia-sched");
    if (!response.body.empty() || response.status != 204) {
      out->set(bhttp::field::content_type, response.content_type);
    }
    for (const auto& [name, value] : response.headers) out->set(name, value);
    out->body() = std::move(response.body);
    out->keep_alive(m_keep_alive && !m_server.stopping);
    out->prepare_payload();
    lowest().expires_after(m_server.options.read_timeout);
    m_writing = true;
    bhttp::async_write(m_stream, *out,
                       [self = this->shared_from_this(), out](beast::error_code ec,
                                                              std::size_t) {
                         self->on_written(ec, out->keep_alive());
                       });
  }

  void on_written(beast::error_code ec, bool keep_alive) {
    m_writing = false;
    --m_server.in_flight;
    std::shared_ptr<Delivery> delivery = std::move(m_delivery);
    if (ec) {
      if (delivery) delivery->lost();
      return close();
    }
    if (delivery) delivery->delivered();
    ++m_served;
    if (!keep_alive || m_gone) return close();
    await_request();
  }

  // Server-sent events: a close-delimited body written as pushes arrive. The request
  // stops counting as in flight once the header is out, so stop() does not wait for it.
  void open_stream(Response response) {
    std::string head = "HTTP/1.1 " + std::to_string(response.status) +
                       " OK\r\nServer: ia-sched\r\nContent-Type: " + response.content_type +
                       "\r\nCache-Control: no-cache\r\nConnection: close\r\n";
    for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
    m_streaming = true;
    if (m_delivery) m_delivery->delivered();
    m_delivery.reset();
    lowest().expires_never();
    // Without it the kernel grows the buffer (to megabytes) for a reader that never reads.
    beast::error_code ignored;
    lowest().socket().set_option(
        asio::socket_base::send_buffer_size(static_cast<int>(m_server.options.stream_send_buffer)),
        ignored);
    enqueue(head + "\r\n" + response.body);
    --m_server.in_flight;
    if (!m_watching) watch();
    response.on_stream(std::make_shared<SessionStream>(this->weak_from_this()));
  }

  // A reader that falls max_stream_queue behind is dropped, not waited for: it resumes
  // with Last-Event-ID from the server's log.
  void enqueue(std::string data) {
    if (m_stream_closed) return;
    if (!m_outbox.empty() && m_queued + data.size() > m_server.options.max_stream_queue) {
      return end_stream();
    }
    m_queued += data.size();
    m_outbox.push_back(std::move(data));
    if (m_outbox.size() == 1) write_next();
  }

  void end_stream() {
    m_stream_closed = true;
    m_outbox.clear();
    m_queued = 0;
    close();
  }

  void write_next() {
    asio::async_write(m_stream, asio::buffer(m_outbox.front()),
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->end_stream();
                        if (self->m_outbox.empty()) return;
                        self->m_queued -= self->m_outbox.front().size();
                        self->m_outbox.pop_front();
                        if (!self->m_outbox.empty()) self->write_next();
                      });
  }

  class SessionStream : public Stream {
   public:
    explicit SessionStream(std::weak_ptr<Session> session) : m_session(std::move(session)) {}
    bool push(std::string data) override {
      std::shared_ptr<Session> session = m_session.lock();
      if (!session || session->m_gone) return false;
      asio::post(session->m_stream.get_executor(), [session, data = std::move(data)]() mutable {
        session->enqueue(std::move(data));
      });
      return true;
    }
    bool open() const override {
      std::shared_ptr<Session> session = m_session.lock();
      return session && !session->m_gone;
    }
    void close() override {
      if (std::shared_ptr<Session> session = m_session.lock()) {
        asio::post(session->m_stream.get_executor(), [session] { session->end_stream(); });
      }
    }

   private:
    std::weak_ptr<Session> m_session;
  };

  // Closes the socket without a TLS close_notify: answers carry their length, and an
  // event stream's end is the connection's end either way.
  void close() {
    m_gone = true;
    m_want_request = false;
    m_idle.cancel();
    lowest().close();
  }

  S m_stream;
  beast::flat_buffer m_buffer;
  std::optional<bhttp::request_parser<bhttp::string_body>> m_parser;
  Shared& m_server;
  asio::steady_timer m_idle;
  std::string m_remote;
  std::shared_ptr<Delivery> m_delivery;  // the request in flight, if any
  std::size_t m_served = 0;
  bool m_keep_alive = true;
  unsigned m_version = 11;
  bool m_watching = false;      // a read is pending outside read_request
  bool m_writing = false;       // an answer is being written
  bool m_want_request = false;  // that read starts the next request
  bool m_streaming = false;
  bool m_stream_closed = false;
  std::atomic<bool> m_gone{false};
  std::deque<std::string> m_outbox;
  std::size_t m_queued = 0;  // bytes in m_outbox
  Admission m_admission;
};

}  // namespace ia::http::detail
