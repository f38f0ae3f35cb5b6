// http::LeanClient (the node agent's Beast client) against the real server on loopback,
// and against openssl s_server for TLS.
#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <regex>
#include <thread>

#include "http/lean_client.hpp"
#include "http/server.hpp"
#include "temp_dir.hpp"
#include "skip.hpp"

using namespace ia;
using namespace ia::http;

extern char** environ;

namespace {

std::unique_ptr<Server> start(Handler handler, Millis idle_timeout = Millis(75'000)) {
  ServerOptions options;
  options.port = 0;
  options.threads = 2;
  options.idle_timeout = idle_timeout;
  auto server = Server::start(options, std::move(handler));
  REQUIRE(server);
  return std::move(*server);
}

ClientOptions options_for(const std::string& url) {
  return ClientOptions{url, "tok", Millis(5000), Millis(2000), true, ""};
}

std::unique_ptr<LeanClient> client_for(const Server& server, const std::string& prefix = "") {
  auto client = LeanClient::create(
      options_for("http://127.0.0.1:" + std::to_string(server.port()) + prefix));
  REQUIRE(client);
  return std::move(*client);
}

Handler echo() {
  return [](Request&& request, Reply reply) {
    Response response;
    response.body = request.method + " " + request.path + " " +
                    std::string(request.header("authorization")) + " " + request.body;
    reply(std::move(response));
  };
}

// A reply that never comes until the test ends: the long poll's shape.
struct Parked {
  std::mutex mutex;
  std::vector<Reply> replies;
  Handler handler() {
    return [this](Request&&, Reply reply) {
      std::lock_guard lock(mutex);
      replies.push_back(std::move(reply));
    };
  }
  void release() {
    std::lock_guard lock(mutex);
    for (Reply& reply : replies) reply(Response{200, "text/plain", "late", {}, {}});
    replies.clear();
  }
};

}  // namespace

TEST_CASE("lean client: base URLs split into scheme, host, port and prefix") {
  auto plain = parse_base_url("http://127.0.0.1:8000");
  REQUIRE(plain);
  CHECK_FALSE(plain->tls);
  CHECK(plain->host == "127.0.0.1");
  CHECK(plain->port == "8000");
  CHECK(plain->prefix.empty());
  auto secure = parse_base_url("https://sched.example/ia/");
  REQUIRE(secure);
  CHECK(secure->tls);
  CHECK(secure->port == "443");
  CHECK(secure->prefix == "/ia");
  auto v6 = parse_base_url("http://[::1]:9000");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == "9000");
}

TEST_CASE("lean client: refuses URLs without a scheme, host or valid port") {
  for (const char* bad : {"ftp://h:1", "127.0.0.1:8000", "http://", "http://h:0",
                          "http://h:99999", "http://h:port", "http://[::1", "http://[::1]x"}) {
    auto url = parse_base_url(bad);
    INFO(bad);
    REQUIRE_FALSE(url);
    CHECK(url.error().code == ErrorCode::invalid_argument);
    CHECK(url.error().message.find(bad) != std::string::npos);
  }
  CHECK_FALSE(LeanClient::create(options_for("ftp://h:1")));
}

TEST_CASE("lean client: requests carry token, body and prefix over one connection") {
  auto server = start(echo());
  auto client = client_for(*server, "/base/");
  auto first = client->post("/a", "data");
  REQUIRE(first);
  CHECK(first->status == 200);
  CHECK(first->body == "POST /base/a Bearer tok data");
  auto second = client->request("GET", "/b");
  REQUIRE(second);
  CHECK(second->body == "GET /base/b Bearer tok ");
  auto custom = client->request("PATCH", "/c", "x");
  REQUIRE(custom);
  CHECK(custom->body == "PATCH /base/c Bearer tok x");
}

TEST_CASE("lean client: a kept-alive connection the server closed is replaced unseen") {
  auto server = start(echo(), Millis(100));
  auto client = client_for(*server);
  REQUIRE(client->post("/one", "1"));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // past the idle timeout
  auto again = client->post("/two", "2");
  if (!again) FAIL(again.error().describe());
  CHECK(again->body == "POST /two Bearer tok 2");
}

TEST_CASE("lean client: interrupt ends a waiting request at once, until resume") {
  Parked parked;
  auto server = start(parked.handler());
  auto client = client_for(*server);
  Result<ClientResponse> waited = make_error(ErrorCode::internal, "not run");
  auto begin = std::chrono::steady_clock::now();
  std::thread poller([&] { waited = client->post("/lease", "{}", Millis(20'000)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  client->interrupt();
  poller.join();
  CHECK(std::chrono::steady_clock::now() - begin < std::chrono::seconds(5));
  REQUIRE_FALSE(waited);
  CHECK(waited.error().code == ErrorCode::timeout);
  CHECK(waited.error().message.find("interrupted") != std::string::npos);
  auto refused = client->post("/lease", "{}");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::timeout);
  parked.release();
  client->resume();
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    parked.release();
  });
  auto after = client->post("/lease", "{}");
  releaser.join();
  if (!after) FAIL(after.error().describe());
  CHECK(after->body == "late");
}

TEST_CASE("lean client: no answer within the timeout is a timeout error") {
  Parked parked;
  auto server = start(parked.handler());
  auto client = client_for(*server);
  auto response = client->post("/slow", "{}", Millis(300));
  parked.release();
  REQUIRE_FALSE(response);
  CHECK(response.error().code == ErrorCode::timeout);
  CHECK(response.error().message.find("in time") != std::string::npos);
}

TEST_CASE("lean client: a refused connection says to check that ia-sched runs") {
  int port = 0;
  {
    auto server = start(echo());
    port = server->port();
  }
  auto client = LeanClient::create(options_for("http://127.0.0.1:" + std::to_string(port)));
  REQUIRE(client);
  auto response = (*client)->post("/", "");
  REQUIRE_FALSE(response);
  CHECK(response.error().code == ErrorCode::unavailable);
  CHECK(response.error().hint.find("is ia-sched running?") == 0);
}

namespace {

// openssl s_server -www on a free port with a self-signed certificate for "localhost".
struct TlsServer {
  test::TempDir dir;
  pid_t pid = -1;
  std::string port;
  std::string cert;

  bool start() {
    cert = (dir.path / "cert.pem").string();
    std::string key = (dir.path / "key.pem").string();
    std::string make = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                       "-addext subjectAltName=DNS:localhost -keyout " + key + " -out " +
                       cert + " >/dev/null 2>&1";
    if (std::system(make.c_str()) != 0) return false;
    std::string log = (dir.path / "server.log").string();
    std::string run = "exec openssl s_server -accept 0 -www -cert " + cert + " -key " + key +
                      " >" + log + " 2>&1";
    const char* argv[] = {"/bin/sh", "-c", run.c_str(), nullptr};
    if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
      return false;
    }
    std::regex accept("ACCEPT .*:([0-9]+)");
    for (int i = 0; i < 100 && port.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::ifstream in(log);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::smatch match;
      if (std::regex_search(text, match, accept)) port = match[1];
    }
    return !port.empty();
  }
  ~TlsServer() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
};

}  // namespace

TEST_CASE("lean client: TLS verifies the server's certificate against the CA bundle") {
  TlsServer server;
  if (!server.start()) {
    IA_SKIP("openssl s_server could not start here; TLS not checked");
  }
  ClientOptions options = options_for("https://localhost:" + server.port);
  auto untrusted = LeanClient::create(options);
  REQUIRE(untrusted);
  auto refused = (*untrusted)->request("GET", "/");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("TLS with") == 0);

  options.ca_file = server.cert;
  auto trusted = LeanClient::create(options);
  REQUIRE(trusted);
  auto page = (*trusted)->request("GET", "/");
  if (!page) FAIL(page.error().describe());
  CHECK(page->status == 200);

  // The same trusted certificate under a name it does not carry is refused.
  ClientOptions by_address = options;
  by_address.base_url = "https://127.0.0.1:" + server.port;
  auto misnamed = LeanClient::create(by_address);
  REQUIRE(misnamed);
  auto mismatch = (*misnamed)->request("GET", "/");
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().message.find("TLS with") == 0);

  options.ca_file.clear();
  options.verify_tls = false;
  auto unverified = LeanClient::create(options);
  REQUIRE(unverified);
  auto anyway = (*unverified)->request("GET", "/");
  if (!anyway) FAIL(anyway.error().describe());
  CHECK(anyway->status == 200);
}

TEST_CASE("lean client: an unreadable CA bundle is refused at creation, naming it") {
  ClientOptions options = options_for("https://localhost:1");
  options.ca_file = "/nonexistent/ca.pem";
  auto client = LeanClient::create(options);
  REQUIRE_FALSE(client);
  CHECK(client.error().message.find("/nonexistent/ca.pem") != std::string::npos);
}
