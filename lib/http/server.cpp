// The only file that includes Boost.Beast's server side; keep it that way, Beast costs
// much compile time.
#include "http/server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "core/strings.hpp"
#include "core/time.hpp"
#include "json/writer.hpp"

namespace ia::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopping{false};
  int port = 0;
};

namespace {

// The wire error object (DESIGN.md §3) for failures caught before the handler runs.
std::string error_json(std::string_view code, std::string_view message) {
  json::Writer out;
  out.begin_object().key("error").begin_object().field("code", code).field("message", message);
  out.field("details", "").end_object().end_object();
  return out.take();
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server)
      : m_stream(std::move(socket)), m_server(server) {}

  void start() {
    beast::error_code ec;
    tcp::endpoint peer = m_stream.socket().remote_endpoint(ec);
    if (!ec) m_remote = peer.address().to_string();
    read();
  }

 private:
  void read() {
    m_parser.emplace();
    m_parser->body_limit(m_server.options.max_body);
    m_parser->header_limit(static_cast<std::uint32_t>(m_server.options.max_header));
    // The first byte may take an idle period; the rest of the request must follow
    // within read_timeout (reset in on_header).
    m_stream.expires_after(m_server.options.idle_timeout);
    bhttp::async_read_header(m_stream, m_buffer, *m_parser,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               self->on_header(ec);
                             });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_error(ec);
    m_stream.expires_after(m_server.options.read_timeout);
    bhttp::async_read(m_stream, m_buffer, *m_parser,
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
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
    if (ec.category() == eos.category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return fail(400, "INVALID_REQUEST", "malformed HTTP request");
    }
    close();
  }

  void fail(int status, std::string_view code, const std::string& message) {
    Response response;
    response.status = status;
    response.body = error_json(code, message);
    m_keep_alive = false;
    ++m_server.in_flight;
    write(std::move(response));
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
    m_stream.expires_never();  // a long-poll may take its time; the handler bounds it
    ++m_server.in_flight;
    if (!split_target(request)) {
      Response response;
      response.status = 400;
      response.body = error_json("INVALID_REQUEST", "malformed request target");
      return write(std::move(response));
    }
    auto answered = std::make_shared<std::atomic<bool>>(false);
    m_server.handler(std::move(request),
                     [self = shared_from_this(), answered](Response response) {
                       if (answered->exchange(true)) return;
                       asio::post(self->m_stream.get_executor(),
                                  [self, response = std::move(response)]() mutable {
                                    self->write(std::move(response));
                                  });
                     });
  }

  void write(Response response) {
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
    m_stream.expires_after(m_server.options.read_timeout);
    bhttp::async_write(m_stream, *out,
                       [self = shared_from_this(), out](beast::error_code ec, std::size_t) {
                         --self->m_server.in_flight;
                         if (ec || !out->keep_alive()) return self->close();
                         self->read();
                       });
  }

  void close() {
    beast::error_code ec;
    m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    m_stream.socket().close(ec);
  }

  beast::tcp_stream m_stream;
  beast::flat_buffer m_buffer;
  std::optional<bhttp::request_parser<bhttp::string_body>> m_parser;
  Server::Impl& m_server;
  std::string m_remote;
  bool m_keep_alive = true;
  unsigned m_version = 11;
};

void accept(Server::Impl& server) {
  server.acceptor.async_accept(asio::make_strand(server.io),
                               [&server](beast::error_code ec, tcp::socket socket) {
                                 if (server.stopping) return;
                                 if (!ec) {
                                   std::make_shared<Session>(std::move(socket), server)->start();
                                 }
                                 accept(server);
                               });
}

Status listen(Server::Impl& server) {
  beast::error_code ec;
  std::string host = server.options.host == "localhost" ? "127.0.0.1" : server.options.host;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) {
    return make_error(ErrorCode::invalid_argument, "listen address '" + host + "' is not an IP",
                      "use an address such as 127.0.0.1 or 0.0.0.0");
  }
  tcp::endpoint endpoint(address, static_cast<unsigned short>(server.options.port));
  std::string where = host + ":" + std::to_string(server.options.port);
  server.acceptor.open(endpoint.protocol(), ec);
  if (!ec) server.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) server.acceptor.bind(endpoint, ec);
  if (!ec) server.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(ErrorCode::unavailable, "listen on " + where + ": " + ec.message(),
                      "is another ia-sched (or another program) using this port?");
  }
  server.port = server.acceptor.local_endpoint().port();
  return {};
}

}  // namespace

Server::Server(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Server::~Server() { stop(Millis(0)); }

Result<std::unique_ptr<Server>> Server::start(const ServerOptions& options, Handler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  IA_TRY(listen(*impl));
  accept(*impl);
  int threads = options.threads > 0 ? options.threads
                                    : static_cast<int>(std::thread::hardware_concurrency());
  for (int i = 0; i < std::max(threads, 1); ++i) {
    impl->threads.emplace_back([raw = impl.get()] { raw->io.run(); });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

int Server::port() const { return m_impl->port; }

std::size_t Server::in_flight() const { return m_impl->in_flight; }

void Server::schedule(Millis delay, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(m_impl->io, delay);
  timer->async_wait([timer, fn = std::move(fn)](beast::error_code ec) {
    if (!ec) fn();
  });
}

void Server::stop(Millis grace) {
  if (m_impl->threads.empty()) return;
  m_impl->stopping = true;
  asio::post(m_impl->io, [impl = m_impl.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  std::int64_t deadline = steady_now_ms() + grace.count();
  while (m_impl->in_flight > 0 && steady_now_ms() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  m_impl->io.stop();
  for (std::thread& thread : m_impl->threads) thread.join();
  m_impl->threads.clear();
}

bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace ia::http
