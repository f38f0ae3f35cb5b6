// The only file that includes Boost.Beast's server side (with session.hpp and tls.hpp,
// which only it includes); keep it that way, Beast costs much compile time.
#include "http/server.hpp"

#include <algorithm>
#include <cerrno>
#include <thread>
#include <vector>

#include "core/time.hpp"
#include "http/session.hpp"
#include "http/tls.hpp"

namespace ia::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct Server::Impl {
  detail::Shared shared;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::unique_ptr<asio::ssl::context> tls;  // null: plain HTTP
  // Parked replies have no pending operation; without this guard run() would return
  // once the acceptor closes, and their answers would never be written.
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::vector<std::thread> threads;
  int port = 0;
};

namespace {

void accept(Server::Impl& server);

// Out of descriptors (EMFILE, ENFILE) or kernel memory, accept fails at once for as long
// as that lasts, and retrying at once spins a core. The waiting connections stay in the
// listen backlog meanwhile.
bool out_of_resources(const beast::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory ||
         ec == beast::error_code(ENFILE, boost::system::system_category());
}

void accept_later(Server::Impl& server) {
  auto timer = std::make_shared<asio::steady_timer>(server.io, std::chrono::milliseconds(100));
  timer->async_wait([&server, timer](beast::error_code) {
    if (!server.shared.stopping) accept(server);
  });
}

// The peer as the per-address limit counts it: an IPv4 address, or an IPv6 /64 (one
// host commonly holds a whole /64, so counting single addresses would bound nothing).
std::string peer_key(const tcp::socket& socket) {
  beast::error_code ec;
  tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return "?";
  asio::ip::address address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  if (address.is_v4()) return address.to_string();
  asio::ip::address_v6::bytes_type bytes = address.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return asio::ip::address_v6(bytes).to_string() + "/64";
}

void serve(Server::Impl& server, tcp::socket socket) {
  detail::Admission admission(server.shared.limits, peer_key(socket));
  if (admission.verdict == ConnectionLimits::Verdict::dropped) {
    beast::error_code ignored;
    socket.close(ignored);
    return;
  }
  if (server.tls) {
    std::make_shared<detail::Session<detail::TlsStream>>(std::move(socket), server.shared,
                                                         std::move(admission), *server.tls)
        ->start();
  } else {
    std::make_shared<detail::Session<detail::PlainStream>>(std::move(socket), server.shared,
                                                           std::move(admission))
        ->start();
  }
}

void accept(Server::Impl& server) {
  server.acceptor.async_accept(asio::make_strand(server.io),
                               [&server](beast::error_code ec, tcp::socket socket) {
                                 if (server.shared.stopping) return;
                                 if (ec && out_of_resources(ec)) return accept_later(server);
                                 if (!ec) serve(server, std::move(socket));
                                 accept(server);
                               });
}

Status listen(Server::Impl& server) {
  beast::error_code ec;
  const ServerOptions& options = server.shared.options;
  std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) {
    return make_error(ErrorCode::invalid_argument, "listen address '" + host + "' is not an IP",
                      "use an address such as 127.0.0.1 or 0.0.0.0");
  }
  tcp::endpoint endpoint(address, static_cast<unsigned short>(options.port));
  std::string where = host + ":" + std::to_string(options.port);
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
  impl->shared.options = options;
  impl->shared.handler = std::move(handler);
  impl->shared.limits = std::make_shared<ConnectionLimits>(
      options.max_connections, options.max_connections_per_address, detail::k_max_refusing);
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    Result<std::unique_ptr<asio::ssl::context>> tls =
        load_tls_context(options.tls_cert, options.tls_key);
    if (!tls) return std::move(tls).error();
    impl->tls = std::move(*tls);
  }
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

std::size_t Server::in_flight() const { return m_impl->shared.in_flight; }

std::size_t Server::connections() const { return m_impl->shared.limits->admitted(); }

void Server::schedule(Millis delay, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(m_impl->io, delay);
  timer->async_wait([timer, fn = std::move(fn)](beast::error_code ec) {
    if (!ec) fn();
  });
}

void Server::stop(Millis grace) {
  if (m_impl->threads.empty()) return;
  m_impl->shared.stopping = true;
  asio::post(m_impl->io, [impl = m_impl.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  std::int64_t deadline = steady_now_ms() + grace.count();
  while (m_impl->shared.in_flight > 0 && steady_now_ms() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  m_impl->io.stop();
  for (std::thread& thread : m_impl->threads) thread.join();
  m_impl->threads.clear();
}

Status check_tls(const ServerOptions& options) {
  if (options.tls_cert.empty() && options.tls_key.empty()) return {};
  Result<std::unique_ptr<asio::ssl::context>> tls =
      load_tls_context(options.tls_cert, options.tls_key);
  if (!tls) return std::move(tls).error();
  return {};
}

bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace ia::http
