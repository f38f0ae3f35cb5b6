#include "http/lean_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <limits>
#include <optional>

#include "core/strings.hpp"
#include "http/transport_error.hpp"

namespace ia::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// Each connection owns its io_context, run only by the thread making the request, so a
// request needs no thread of its own and interrupt() reaches it through post().
struct LeanClient::Connection {
  asio::io_context io{1};
  std::optional<asio::ssl::context> tls_context;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  bool open() const { return plain.has_value() || secure.has_value(); }
  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
  void close() {
    secure.reset();
    plain.reset();
    buffer.clear();
  }
  void run() {
    io.restart();
    io.run();
  }
};

namespace {

using Request = bhttp::request<bhttp::string_body>;
using Parser = bhttp::response_parser<bhttp::string_body>;

bool is_ip_address(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

Error transport_error(const beast::error_code& ec, const std::string& url, bool interrupted) {
  if (interrupted) return interrupted_error(url);
  if (ec == beast::error::timeout) return timed_out_error(url);
  if (ec.category() == asio::error::get_ssl_category() ||
      ec.category() == asio::ssl::error::get_stream_category()) {
    return tls_error(url, ec.message());
  }
  return unreachable_error(url, ec.message());
}

// A kept-alive connection the server closed while idle fails like this before any answer
// arrives; the request then goes again on a fresh connection, as libcurl does.
bool closed_while_idle(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

template <class Stream>
beast::error_code exchange(LeanClient::Connection& c, Stream& stream, Request& request,
                           Parser& parser) {
  beast::error_code result;
  bhttp::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
    if (ec) {
      result = ec;
      return;
    }
    bhttp::async_read(stream, c.buffer, parser,
                      [&](beast::error_code read_ec, std::size_t) { result = read_ec; });
  });
  c.run();
  return result;
}

beast::error_code connect(LeanClient::Connection& c, const BaseUrl& url,
                          const ClientOptions& options) {
  beast::error_code ec;
  // getaddrinfo in this thread: async_resolve would start a resolver thread that lives on.
  tcp::resolver resolver(c.io);
  tcp::resolver::results_type endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec) return ec;
  if (url.tls) {
    c.secure.emplace(c.io, *c.tls_context);
  } else {
    c.plain.emplace(c.io);
  }
  c.lowest().expires_after(options.connect_timeout);
  c.lowest().async_connect(endpoints, [&](beast::error_code connect_ec, const tcp::endpoint&) {
    ec = connect_ec;
  });
  c.run();
  if (ec || !url.tls) return ec;
  // SNI for names only (RFC 6066 forbids addresses); the certificate must name the host.
  if (!is_ip_address(url.host)) SSL_set_tlsext_host_name(c.secure->native_handle(), url.host.c_str());
  c.secure->set_verify_callback(asio::ssl::host_name_verification(url.host));
  c.secure->async_handshake(asio::ssl::stream_base::client,
                            [&](beast::error_code handshake_ec) { ec = handshake_ec; });
  c.run();
  return ec;
}

Result<asio::ssl::context> tls_context(const ClientOptions& options) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  beast::error_code ec;
  if (!options.verify_tls) {
    context.set_verify_mode(asio::ssl::verify_none);
    return context;
  }
  context.set_default_verify_paths(ec);
  if (!options.ca_file.empty()) context.load_verify_file(options.ca_file, ec);
  if (ec) {
    return make_error(ErrorCode::invalid_argument,
                      "cannot load the CA bundle '" + options.ca_file + "': " + ec.message(),
                      "name a readable PEM file of CA certificates");
  }
  context.set_verify_mode(asio::ssl::verify_peer);
  return context;
}

Request make_request(std::string_view method, std::string target, std::string_view body,
                     const BaseUrl& url, const ClientOptions& options) {
  Request request;
  request.version(11);
  bhttp::verb verb = bhttp::string_to_verb(method);
  if (verb == bhttp::verb::unknown) {
    request.method_string(method);
  } else {
    request.method(verb);
  }
  request.target(target);
  bool v6 = url.host.find(':') != std::string::npos;
  request.set(bhttp::field::host, (v6 ? "[" + url.host + "]" : url.host) + ":" + url.port);
  request.set(bhttp::field::content_type, "application/json");
  if (!options.token.empty()) request.set(bhttp::field::authorization, "Bearer " + options.token);
  request.body() = std::string(body);
  if (!body.empty() || verb == bhttp::verb::post) request.prepare_payload();
  return request;
}

}  // namespace

Result<BaseUrl> parse_base_url(std::string_view url) {
  BaseUrl parsed;
  std::string_view rest;
  if (starts_with(url, "https://")) {
    parsed.tls = true;
    rest = url.substr(8);
  } else if (starts_with(url, "http://")) {
    rest = url.substr(7);
  } else {
    return make_error(ErrorCode::invalid_argument,
                      "server '" + std::string(url) + "' is not an http:// or https:// URL",
                      "write it like http://127.0.0.1:8000");
  }
  std::string_view authority = rest.substr(0, rest.find('/'));
  parsed.prefix = std::string(rest.substr(authority.size()));
  while (!parsed.prefix.empty() && parsed.prefix.back() == '/') parsed.prefix.pop_back();
  // "[::1]:8443" brackets an IPv6 address; "host:8443"; "host" takes the scheme's port.
  std::string_view port_text = parsed.tls ? "443" : "80";
  std::size_t host_end = authority.rfind(':');
  if (starts_with(authority, "[")) {
    std::size_t close = authority.find(']');
    parsed.host = std::string(authority.substr(1, close == std::string_view::npos ? 0 : close - 1));
    host_end = close == std::string_view::npos ? close : authority.find(':', close);
    if (close != std::string_view::npos && close + 1 < authority.size() && host_end != close + 1) {
      parsed.host.clear();
    }
  } else {
    parsed.host = std::string(authority.substr(0, host_end));
  }
  if (host_end != std::string_view::npos) port_text = authority.substr(host_end + 1);
  parsed.port = std::string(port_text);
  long long port = 0;
  if (parsed.host.empty() || !parse_int64(parsed.port, port) || port < 1 || port > 65535) {
    return make_error(ErrorCode::invalid_argument,
                      "server '" + std::string(url) + "' has no valid host and port",
                      "write it like http://127.0.0.1:8000");
  }
  return parsed;
}

Result<std::unique_ptr<LeanClient>> LeanClient::create(ClientOptions options) {
  Result<BaseUrl> url = parse_base_url(options.base_url);
  if (!url) return std::move(url).error();
  if (url->tls) {
    // Check the CA bundle now, so a typo shows at start-up rather than as failed requests.
    Result<asio::ssl::context> context = tls_context(options);
    if (!context) return std::move(context).error();
  }
  return std::unique_ptr<LeanClient>(new LeanClient(std::move(options), std::move(url).value()));
}

LeanClient::LeanClient(ClientOptions options, BaseUrl url)
    : m_options(std::move(options)), m_url(std::move(url)) {
  while (!m_options.base_url.empty() && m_options.base_url.back() == '/') {
    m_options.base_url.pop_back();
  }
}

LeanClient::~LeanClient() = default;

std::shared_ptr<LeanClient::Connection> LeanClient::take() {
  std::lock_guard<std::mutex> lock(m_mutex);
  std::shared_ptr<Connection> connection;
  if (m_idle.empty()) {
    connection = std::make_shared<Connection>();
  } else {
    connection = std::move(m_idle.back());
    m_idle.pop_back();
  }
  m_busy.push_back(connection);
  return connection;
}

void LeanClient::give_back(std::shared_ptr<Connection> connection) {
  // Runs a cancel that interrupt() posted after the request ended, so it cannot cut
  // short the connection's next request.
  connection->io.restart();
  connection->io.poll();
  std::lock_guard<std::mutex> lock(m_mutex);
  m_busy.erase(std::find(m_busy.begin(), m_busy.end(), connection));
  m_idle.push_back(std::move(connection));
}

void LeanClient::interrupt() {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_interrupted = true;
  for (const std::shared_ptr<Connection>& connection : m_busy) {
    asio::post(connection->io, [connection] {
      if (connection->open()) connection->lowest().cancel();
    });
  }
}

Result<ClientResponse> LeanClient::request(std::string_view method, std::string_view path,
                                           std::string_view body, Millis timeout) {
  std::shared_ptr<Connection> c = take();
  Request request = make_request(method, m_url.prefix + std::string(path), body, m_url, m_options);
  Millis limit = timeout.count() > 0 ? timeout : m_options.timeout;
  beast::error_code ec;
  std::optional<Parser> parser;
  for (int attempt = 0; attempt < 2 && !m_interrupted; ++attempt) {
    bool reused = c->open();
    if (!reused) {
      if (m_url.tls && !c->tls_context) {
        Result<asio::ssl::context> context = tls_context(m_options);
        if (!context) {
          give_back(std::move(c));
          return std::move(context).error();
        }
        c->tls_context.emplace(std::move(context).value());
      }
      ec = connect(*c, m_url, m_options);
      if (ec) break;
    }
    parser.emplace();
    parser->body_limit(std::numeric_limits<std::uint64_t>::max());
    c->lowest().expires_after(limit);
    ec = c->secure ? exchange(*c, *c->secure, request, *parser)
                   : exchange(*c, *c->plain, request, *parser);
    if (!ec || !reused || !closed_while_idle(ec) || parser->got_some()) break;
    c->close();
  }
  if (m_interrupted || ec || !parser || !parser->keep_alive()) c->close();
  bool interrupted = m_interrupted;
  give_back(std::move(c));
  if (interrupted || ec) return transport_error(ec, m_options.base_url, interrupted);
  ClientResponse response;
  response.status = static_cast<int>(parser->get().result_int());
  response.body = std::move(parser->get().body());
  return response;
}

}  // namespace ia::http
