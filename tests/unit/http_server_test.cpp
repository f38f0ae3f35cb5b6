// The HTTP server and client against each other on loopback.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <catch2/catch.hpp>
#include <thread>

#include "http/client.hpp"
#include "http/server.hpp"

using namespace ia;
using namespace ia::http;

namespace {

std::unique_ptr<Server> start(Handler handler, std::size_t max_body = 1024) {
  ServerOptions options;
  options.port = 0;
  options.threads = 2;
  options.max_body = max_body;
  auto server = Server::start(options, std::move(handler));
  REQUIRE(server);
  return std::move(*server);
}

Client client_for(const Server& server) {
  return Client(ClientOptions{"http://127.0.0.1:" + std::to_string(server.port()), "tok",
                              Millis(5000), Millis(2000), true, ""});
}

Handler echo() {
  return [](Request&& request, Reply reply) {
    Response response;
    response.body = request.method + " " + request.path + " " +
                    (request.param("q") ? *request.param("q") : "-") + " " +
                    std::string(request.header("authorization")) + " " + request.body;
    reply(std::move(response));
  };
}

// A raw TCP connection to the server on loopback that sends nothing (and, with a small
// receive buffer, takes little).
int connect_raw(const Server& server, int receive_buffer = 0) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  if (receive_buffer > 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(server.port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

// Polls (up to 10 s) until the server holds n connections.
bool holds(const Server& server, std::size_t n) {
  for (int i = 0; i < 1000 && server.connections() != n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return server.connections() == n;
}

}  // namespace

TEST_CASE("http: requests reach the handler decoded, over one kept-alive connection") {
  auto server = start(echo());
  Client client = client_for(*server);
  auto first = client.get("/a%20b?q=x+y%21");
  REQUIRE(first);
  CHECK(first->status == 200);
  CHECK(first->body == "GET /a b x y! Bearer tok ");
  auto second = client.post("/p", "data");
  REQUIRE(second);
  CHECK(second->body == "POST /p - Bearer tok data");
  auto third = client.del("/d");
  REQUIRE(third);
  CHECK(third->body.rfind("DELETE /d", 0) == 0);
}

TEST_CASE("http: a body over the limit is refused with 413 and the error object") {
  auto server = start(echo(), 16);
  Client client = client_for(*server);
  auto response = client.post("/p", std::string(100, 'x'));
  REQUIRE(response);
  CHECK(response->status == 413);
  CHECK(response->body.find("PAYLOAD_TOO_LARGE") != std::string::npos);
  auto error = client.call("POST", "/p", std::string(100, 'x'));
  REQUIRE_FALSE(error);
  CHECK(error.error().code == ErrorCode::payload_too_large);
}

TEST_CASE("http: a reply given later from another thread holds no server thread") {
  std::vector<std::thread> repliers;
  std::set<std::thread::id> handler_threads;
  std::mutex mutex;
  auto server = start([&](Request&&, Reply reply) {
    std::lock_guard lock(mutex);
    handler_threads.insert(std::this_thread::get_id());
    repliers.emplace_back([reply] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      reply(Response{200, "text/plain", "late", {}, {}});
    });
  });
  // More parked requests than server threads: they would deadlock if each held one.
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&] {
      Client client = client_for(*server);
      auto response = client.get("/wait");
      if (response && response->body == "late") ++ok;
    });
  }
  for (std::thread& t : clients) t.join();
  for (std::thread& t : repliers) t.join();
  CHECK(ok == 6);
  // Six parked requests served by the two server threads: a server that gave each request
  // a thread of its own would pass the count above but not this.
  CHECK(handler_threads.size() <= 2);
}

TEST_CASE("http: stop waits for requests in flight") {
  std::thread replier;
  auto server = start([&](Request&&, Reply reply) {
    replier = std::thread([reply] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      reply(Response{200, "text/plain", "done", {}, {}});
    });
  });
  Result<ClientResponse> response = make_error(ErrorCode::internal, "not run");
  std::thread caller([&] {
    Client client = client_for(*server);
    response = client.get("/slow");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(server->in_flight() == 1);
  server->stop(Millis(5000));
  caller.join();
  replier.join();
  if (!response) FAIL(response.error().describe());
  CHECK(response->body == "done");
}

TEST_CASE("http: a parked request whose client left is reported undelivered, answered ones never") {
  std::atomic<int> undelivered{0};
  std::mutex mutex;
  std::vector<Reply> parked;
  auto server = start([&](Request&& request, Reply reply) {
    REQUIRE(request.connection);
    request.connection->on_undelivered([&] { ++undelivered; });
    if (request.path == "/now") return reply(Response{200, "text/plain", "now", {}, {}});
    std::lock_guard lock(mutex);
    parked.push_back(std::move(reply));
  });
  // A parked reply keeps its session alive: let it go before the server's io_context.
  struct ClearOnExit {
    std::vector<Reply>& replies;
    ~ClearOnExit() { replies.clear(); }
  } clear_parked{parked};
  Client client = client_for(*server);
  auto answered = client.get("/now");
  REQUIRE(answered);
  CHECK(answered->body == "now");
  auto gone = client.get("/park", Millis(200));
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == ErrorCode::timeout);
  for (int i = 0; i < 200 && undelivered == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(undelivered == 1);
  // Answering the departed client now is harmless and reports nothing twice.
  parked.at(0)(Response{200, "text/plain", "late", {}, {}});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(undelivered == 1);
  auto after = client.get("/now");
  REQUIRE(after);
  CHECK(undelivered == 1);
}

TEST_CASE("http: a refused connection says to check that ia-sched runs") {
  std::uint16_t port = 0;
  {
    auto server = start(echo());
    port = static_cast<std::uint16_t>(server->port());
  }
  Client client(ClientOptions{"http://127.0.0.1:" + std::to_string(port), "", Millis(2000),
                              Millis(1000), true, ""});
  auto response = client.get("/");
  REQUIRE_FALSE(response);
  CHECK(response.error().code == ErrorCode::unavailable);
  CHECK(response.error().hint.find("is ia-sched running?") == 0);
}

TEST_CASE("http: malformed requests get 400, not a crash") {
  auto server = start(echo());
  Client client = client_for(*server);
  auto bad_escape = client.get("/a%zz");
  REQUIRE(bad_escape);
  CHECK(bad_escape->status == 400);
  auto fine = client.get("/ok");
  REQUIRE(fine);
  CHECK(fine->status == 200);
}

TEST_CASE("http: query strings decode and reject bad escapes") {
  std::vector<std::pair<std::string, std::string>> query;
  REQUIRE(parse_query("a=1&b=x%20y&c&&d=+", query));
  REQUIRE(query.size() == 4);
  CHECK(query[1].second == "x y");
  CHECK(query[2].first == "c");
  CHECK(query[3].second == " ");
  std::vector<std::pair<std::string, std::string>> bad;
  CHECK_FALSE(parse_query("a=%4", bad));
  CHECK_FALSE(parse_query("a=%G0", bad));
  CHECK(is_loopback("127.0.0.1"));
  CHECK(is_loopback("::1"));
  CHECK(is_loopback("localhost"));
  CHECK_FALSE(is_loopback("0.0.0.0"));
  CHECK_FALSE(is_loopback("10.0.0.1"));
}

TEST_CASE("http: past max_connections_per_address a request is answered 429 with Retry-After") {
  ServerOptions options;
  options.port = 0;
  options.threads = 2;
  options.max_connections_per_address = 2;
  auto server = Server::start(options, echo());
  REQUIRE(server);
  int first = connect_raw(**server);
  int second = connect_raw(**server);
  REQUIRE(holds(**server, 2));
  Client client = client_for(**server);
  auto refused = client.get("/x");
  REQUIRE(refused);
  CHECK(refused->status == 429);
  CHECK(refused->body.find("RATE_LIMITED") != std::string::npos);
  close(first);
  REQUIRE(holds(**server, 1));
  auto served = client.get("/x");
  REQUIRE(served);
  CHECK(served->status == 200);
  close(second);
}

TEST_CASE("http: an event stream whose reader does not read is ended, not queued without bound") {
  std::mutex mutex;
  std::shared_ptr<Stream> stream;
  ServerOptions options;
  options.port = 0;
  options.threads = 2;
  options.max_stream_queue = 64 * 1024;
  options.stream_send_buffer = 16 * 1024;
  auto server = Server::start(options, [&](Request&&, Reply reply) {
    Response response;
    response.content_type = "text/event-stream";
    response.on_stream = [&](std::shared_ptr<Stream> opened) {
      std::lock_guard lock(mutex);
      stream = std::move(opened);
    };
    reply(std::move(response));
  });
  REQUIRE(server);
  int reader = connect_raw(**server, 4096);
  std::string request = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
  REQUIRE(write(reader, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  std::shared_ptr<Stream> opened;
  for (int i = 0; i < 1000 && !opened; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::lock_guard lock(mutex);
    opened = stream;
  }
  REQUIRE(opened);
  // 64 MiB offered, 4 KiB at a time, to a reader that takes nothing: the stream must end
  // long before (64 KiB queued here, 16 KiB in the kernel, the reader's 4 KiB).
  std::size_t offered = 0;
  for (int i = 0; i < 16384 && opened->open(); ++i) {
    opened->push(std::string(4096, 'e'));
    offered += 4096;
    if (i % 64 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  CHECK_FALSE(opened->open());
  INFO("offered " << offered << " bytes");
  CHECK(offered < 8 * 1024 * 1024);
  close(reader);
}
