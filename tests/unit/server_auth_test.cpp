// Principals and open modes, driven in-process on a real SQLite store: what a caller
// without a token may do under legacy_open and --insecure, which node may finish which
// task, what a browser page can no longer do, token names, and the open routes' rate.
#include <catch2/catch.hpp>

#include "server/networks.hpp"
#include "server/principal.hpp"
#include "server_harness.hpp"

using namespace ia;
using ia::test::Answer;
using ia::test::Ask;
using ia::test::beat_body;
using ia::test::ServiceHarness;

namespace {

server::ServiceOptions legacy_open() {
  server::ServiceOptions options;
  options.legacy_open = true;
  return options;
}

server::ServiceOptions insecure() {
  server::ServiceOptions options;
  options.insecure = true;
  return options;
}

}  // namespace

TEST_CASE("legacy_open: a tokenless caller submits as 'anonymous', whatever user_id says") {
  ServiceHarness h(legacy_open());
  std::string admin = h.token("root", "admin");
  REQUIRE(h.post("/submit", R"({"code":"x","user_id":"alice"})").status == 200);
  CHECK(h.get("/v1/tasks/1", admin).json().find("owner")->as_string() == "anonymous");
}

TEST_CASE("legacy_open: a tokenless caller reads and cancels only tokenless tasks") {
  ServiceHarness h(legacy_open());
  std::string alice = h.token("alice", "client");
  REQUIRE(h.post("/v1/tasks", R"({"code":"mine"})", alice).status == 201);
  REQUIRE(h.post("/submit", R"({"code":"open"})").status == 200);
  CHECK(h.get("/status/1").status == 404);
  CHECK(h.del("/api/tasks/1").status == 404);
  CHECK(h.get("/v1/tasks/1", alice).json().find("status")->as_string() == "queued");
  CHECK(h.get("/status/2").status == 200);
  CHECK(h.del("/api/tasks/2").status == 200);
}

TEST_CASE("legacy_open: /results shows a tokenless caller no token's results") {
  ServiceHarness h(legacy_open());
  std::string alice = h.token("alice", "client");
  std::string node = h.token("rack-1", "node");
  REQUIRE(h.post("/v1/tasks", R"({"code":"secret"})", alice).status == 201);
  REQUIRE(h.post("/v1/nodes/n1/heartbeat", beat_body(), node).status == 200);
  Answer lease = h.post("/v1/nodes/n1/lease", "", node);
  REQUIRE(lease.status == 200);
  std::int64_t lease_id = lease.json().find("lease")->find("lease_id")->as_int();
  std::string result = R"({"lease_id":)" + std::to_string(lease_id) +
                       R"(,"exit_code":0,"output":"the secret"})";
  REQUIRE(h.post("/v1/tasks/1/result", result, node).status == 200);
  Answer results = h.get("/results");
  REQUIRE(results.status == 200);
  CHECK(results.json().find("count")->as_int() == 0);
  CHECK(results.body.find("the secret") == std::string::npos);
}

TEST_CASE("legacy_open: a tokenless caller cannot speak for a node a token registered") {
  ServiceHarness h(legacy_open());
  std::string alice = h.token("alice", "client");
  std::string node = h.token("rack-1", "node");
  REQUIRE(h.post("/v1/tasks", R"({"code":"x"})", alice).status == 201);
  REQUIRE(h.post("/v1/nodes/n1/heartbeat", beat_body(), node).status == 200);
  CHECK(h.get("/get_task?node_id=n1").status == 403);
  CHECK(h.post("/api/nodes/register", R"({"node_id":"n1","capacity":{"cpu_cores":0}})").status ==
        403);
  CHECK(h.post("/api/nodes/n1/heartbeat", R"({"current_load":1})").status == 403);
  // Its lease is the node's, not the tokenless caller's to finish.
  REQUIRE(h.post("/v1/nodes/n1/lease", "", node).status == 200);
  CHECK(h.post("/submit_result", R"({"task_id":1,"result":"forged"})").status == 403);
  CHECK(h.get("/v1/tasks/1", alice).json().find("status")->as_string() == "leased");
  // A node no token registered is the tokenless caller's to run.
  CHECK(h.get("/get_task?node_id=free").status == 200);
}

TEST_CASE("legacy_open: serves tokenless callers only from legacy_networks, only legacy routes") {
  server::ServiceOptions options = legacy_open();
  options.legacy_networks = *server::parse_networks({"10.1.0.0/16"});
  ServiceHarness h(options);
  h.token("root", "admin");
  CHECK(h.call(Ask{"POST", "/submit", R"({"code":"x"})", "", "10.1.2.3"}).status == 200);
  CHECK(h.call(Ask{"POST", "/submit", R"({"code":"x"})", "", "10.2.0.1"}).status == 401);
  CHECK(h.call(Ask{"POST", "/submit", R"({"code":"x"})", "", "127.0.0.1"}).status == 401);
  CHECK(h.call(Ask{"POST", "/v1/tasks", R"({"code":"x"})", "", "10.1.2.3"}).status == 401);
  // The default is loopback only.
  ServiceHarness loopback(legacy_open());
  CHECK(loopback.call(Ask{"GET", "/stats", "", "", "127.0.0.1"}).status == 200);
  CHECK(loopback.call(Ask{"GET", "/stats", "", "", "::ffff:127.0.0.1"}).status == 200);
  CHECK(loopback.call(Ask{"GET", "/stats", "", "", "192.168.1.9"}).status == 401);
}

TEST_CASE("networks: addresses and prefixes parse, bad ones name the entry") {
  auto networks = server::parse_networks({"192.168.0.0/16", "::1", "fd00::/8"});
  REQUIRE(networks);
  CHECK(server::in_networks(*networks, "192.168.44.1"));
  CHECK_FALSE(server::in_networks(*networks, "192.169.0.1"));
  CHECK(server::in_networks(*networks, "::1"));
  CHECK(server::in_networks(*networks, "fd12::5"));
  CHECK_FALSE(server::in_networks(*networks, "fe80::1"));
  CHECK_FALSE(server::in_networks(*networks, "not an address"));
  for (const char* bad : {"10.0.0.0/33", "10.0.0/8", "host.example", "::1/129", ""}) {
    auto parsed = server::parse_network(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().message.find("legacy_networks") != std::string::npos);
  }
}

TEST_CASE("insecure mode: a tokenless caller is not admin") {
  ServiceHarness h(insecure());
  std::string alice = h.token("alice", "client");
  std::string node = h.token("rack-1", "node");
  REQUIRE(h.post("/v1/tasks", R"({"code":"x"})", alice).status == 201);
  REQUIRE(h.post("/v1/tasks", R"({"code":"y"})").status == 201);
  CHECK(h.get("/v1/tasks/1").status == 404);
  CHECK(h.get("/v1/tasks/2").json().find("owner")->as_string() == "anonymous");
  CHECK(h.get("/v1/tasks").json().find("tasks")->as_array().size() == 1);
  REQUIRE(h.post("/v1/nodes/n1/heartbeat", beat_body(), node).status == 200);
  CHECK(h.post("/v1/nodes/n1/heartbeat", beat_body()).status == 403);
  CHECK(h.call(Ask{"PUT", "/v1/nodes/n1/owner", R"({"token_name":""})"}).status == 401);
  // A token still counts in open mode.
  CHECK(h.get("/v1/tasks/1", alice).status == 200);
}

TEST_CASE("node tokens: a result is taken only from the node that holds the lease") {
  ServiceHarness h;
  std::string admin = h.token("root", "admin");
  std::string node_b = h.token("rack-b", "node");
  REQUIRE(h.post("/v1/tasks", R"({"code":"x"})", admin).status == 201);
  // Registered by an admin token: no node token's to take.
  REQUIRE(h.get("/get_task?node_id=a", admin).status == 200);
  REQUIRE(h.post("/v1/nodes/b/heartbeat", beat_body(), node_b).status == 200);
  Answer forged = h.post("/submit_result", R"({"task_id":1,"result":"forged"})", node_b);
  CHECK(forged.status == 403);
  CHECK(forged.body.find("\"a\"") == std::string::npos);  // the holder is not told
  CHECK(forged.body.find("node a ") == std::string::npos);
  CHECK(h.post("/submit_result", R"({"task_id":1,"result":"forged","node_id":"b"})", node_b)
            .status == 403);
  CHECK(h.post("/v1/nodes/a/heartbeat", beat_body(), node_b).status == 403);
  CHECK(h.get("/get_task?node_id=a", node_b).status == 403);
  CHECK(h.get("/v1/tasks/1", admin).json().find("status")->as_string() == "leased");
  CHECK(h.post("/submit_result", R"({"task_id":1,"result":"ok"})", admin).status == 200);
}

TEST_CASE("node tokens: a node registered without a token is no node token's to take") {
  ServiceHarness h(legacy_open());
  std::string node = h.token("rack-1", "node");
  std::string admin = h.token("root", "admin");
  REQUIRE(h.post("/api/nodes/register", R"({"node_id":"old"})").status == 200);
  CHECK(h.post("/v1/nodes/old/heartbeat", beat_body(), node).status == 403);
  // An admin moves it to the token; then the token speaks for it and nobody else does.
  Answer moved = h.call(Ask{"PUT", "/v1/nodes/old/owner", R"({"token_name":"rack-1"})", admin});
  CHECK(moved.status == 200);
  CHECK(moved.json().find("token_name")->as_string() == "rack-1");
  CHECK(h.post("/v1/nodes/old/heartbeat", beat_body(), node).status == 200);
  CHECK(h.post("/api/nodes/old/heartbeat", R"({"current_load":1})").status == 403);
  Answer unknown = h.call(Ask{"PUT", "/v1/nodes/old/owner", R"({"token_name":"root"})", admin});
  CHECK(unknown.status == 400);
  CHECK(unknown.body.find("no active node token named 'root'") != std::string::npos);
}

TEST_CASE("browsers: a POST body must be JSON, in open mode and with a token") {
  ServiceHarness h(insecure());
  std::string admin = h.token("root", "admin");
  Ask form{"POST", "/v1/tasks", R"({"code":"x"})"};
  form.content_type = "text/plain";
  Answer refused = h.call(form);
  CHECK(refused.status == 400);
  CHECK(refused.body.find("Content-Type must be application/json") != std::string::npos);
  form.token = admin;
  form.content_type = "application/x-www-form-urlencoded";
  CHECK(h.call(form).status == 400);
  form.content_type = "application/json; charset=utf-8";
  CHECK(h.call(form).status == 201);
  CHECK(h.get("/v1/tasks", admin).json().find("tasks")->as_array().size() == 1);
}

TEST_CASE("browsers: a foreign Origin is refused, the server's own is not") {
  ServiceHarness h(insecure());
  Ask page{"POST", "/submit", R"({"code":"x"})"};
  page.headers = {{"origin", "http://evil.example"}};
  Answer refused = h.call(page);
  CHECK(refused.status == 403);
  CHECK(refused.body.find("Origin 'http://evil.example'") != std::string::npos);
  page.headers = {{"origin", "null"}};
  CHECK(h.call(page).status == 403);
  page.headers = {{"origin", "http://127.0.0.1:8000"}};
  CHECK(h.call(page).status == 200);
}

TEST_CASE("browsers: in open mode the Host must be an address or localhost") {
  ServiceHarness h(insecure());
  Ask rebound{"POST", "/v1/tasks", R"({"code":"x"})"};
  rebound.headers = {{"host", "rebind.evil.example:8000"}};
  Answer refused = h.call(rebound);
  CHECK(refused.status == 403);
  CHECK(refused.body.find("Host 'rebind.evil.example:8000'") != std::string::npos);
  rebound.headers = {{"host", "localhost:8000"}};
  CHECK(h.call(rebound).status == 201);
  rebound.headers = {{"host", "[::1]:8000"}};
  CHECK(h.call(rebound).status == 201);
}

TEST_CASE("token names: 'anonymous' is reserved, names hold no control characters") {
  CHECK(server::check_token_name("alice"));
  CHECK(server::check_token_name("rack-1.b_2"));
  for (const char* bad : {"anonymous", "Anonymous", "a\nb", "", "-x", "a b", "ü", "a/b"}) {
    INFO(bad);
    Status checked = server::check_token_name(bad);
    REQUIRE_FALSE(checked);
    CHECK(checked.error().code == ErrorCode::invalid_argument);
  }
  CHECK_FALSE(server::check_token_name(std::string(65, 'a')));
}

TEST_CASE("open routes: one address past open_rate_limit gets 429, others do not") {
  server::ServiceOptions options;
  options.open_rate_limit = 1;
  ServiceHarness h(options);
  CHECK(h.call(Ask{"GET", "/health", "", "", "10.0.0.1"}).status == 200);
  Answer second = h.call(Ask{"GET", "/health", "", "", "10.0.0.1"});
  CHECK(second.status == 429);
  CHECK(second.body.find("open_rate_limit") != std::string::npos);
  CHECK(h.call(Ask{"GET", "/metrics", "", "", "10.0.0.2"}).status == 200);
}

TEST_CASE("reload: options change while requests read them (run under TSan by scripts/test)") {
  ServiceHarness h;
  std::string admin = h.token("root", "admin");
  REQUIRE(h.post("/v1/tasks", R"({"code":"x"})", admin).status == 201);
  server::Service& service = h.service();
  std::atomic<bool> stop{false};
  std::thread reloader([&] {
    for (std::int64_t i = 0; !stop; ++i) {
      server::ServiceOptions options;
      options.max_wait_s = 60 + i % 7;
      options.limits.max_code = 1024 + i % 5;
      service.reload(options);
    }
  });
  for (int i = 0; i < 200; ++i) {
    CHECK(h.get("/v1/tasks/1/wait?timeout=0", admin).status == 200);
    CHECK(h.post("/v1/tasks", R"({"code":"y"})", admin).status == 201);
  }
  stop = true;
  reloader.join();
}
