// The route table and the service calls behind it, driven in-process on a real SQLite
// store: who may call what, what one owner may see of another's tasks and nodes, and
// the legacy adapter's shapes.
#include <catch2/catch.hpp>

#include "server/routes.hpp"
#include "server_harness.hpp"

using namespace ia;
using ia::server::k_admin;
using ia::server::k_public;
using ia::test::Answer;
using ia::test::Ask;
using ia::test::beat_body;
using ia::test::ServiceHarness;

namespace {

// A concrete path for a route's pattern.
std::string sample_path(std::string_view pattern) {
  std::string path(pattern);
  for (auto [from, to] : {std::pair<std::string, std::string>{"{task}", "1"}, {"{node}", "n1"}}) {
    if (std::size_t at = path.find(from); at != std::string::npos) path.replace(at, from.size(), to);
  }
  return path;
}

}  // namespace

TEST_CASE("server routes: an admin reaches every route in the table, unknown paths are 404") {
  ServiceHarness h;
  std::string admin = h.token("root", "admin");
  for (const server::Route& route : server::route_table()) {
    INFO(route.method << " " << route.pattern);
    CHECK(((route.who & k_admin) != 0 || (route.who & k_public) != 0));
    Answer answer = h.call(Ask{std::string(route.method), sample_path(route.pattern),
                               route.method == "GET" || route.method == "DELETE" ? "" : "{}",
                               admin});
    CHECK(answer.body.find("no route") == std::string::npos);
    CHECK(answer.status != 401);
    CHECK(answer.status != 403);
  }
  Answer unknown = h.get("/v1/nope", admin);
  CHECK(unknown.status == 404);
  CHECK(unknown.json().find("error")->find("code")->as_string() == "NOT_FOUND");
  Answer wrong_method = h.call(Ask{"PATCH", "/v1/tasks", "", admin});
  CHECK(wrong_method.status == 400);
  CHECK(wrong_method.body.find("method PATCH is not allowed on /v1/tasks") != std::string::npos);
}

TEST_CASE("server routes: without a token only the public routes answer") {
  ServiceHarness h;
  h.token("root", "admin");
  CHECK(h.get("/").status == 200);
  CHECK(h.get("/health").status == 200);
  for (const server::Route& route : server::route_table()) {
    if (route.who & k_public) continue;
    INFO(route.method << " " << route.pattern);
    CHECK(h.call(Ask{std::string(route.method), sample_path(route.pattern)}).status == 401);
  }
}

TEST_CASE("server routes: a role outside a route's principals gets 403 naming its kind") {
  ServiceHarness h;
  std::string node = h.token("n-token", "node");
  std::string client = h.token("alice", "client");
  Answer submit = h.post("/v1/tasks", R"({"code":"x"})", node);
  CHECK(submit.status == 403);
  CHECK(submit.body.find("a node token may not POST /v1/tasks") != std::string::npos);
  CHECK(h.post("/v1/nodes/n1/heartbeat", beat_body(), client).status == 403);
  CHECK(h.call(Ask{"PUT", "/v1/nodes/n1/owner", R"({"token_name":""})", client}).status == 403);
}

TEST_CASE("server routes: another client's task reads as missing, the same as an absent one") {
  ServiceHarness h;
  std::string alice = h.token("alice", "client");
  std::string bob = h.token("bob", "client");
  REQUIRE(h.post("/v1/tasks", R"({"code":"x"})", alice).status == 201);
  std::string missing = h.get("/v1/tasks/99", bob).body;
  std::string expected = missing.replace(missing.find("task 99"), 7, "task 1");
  for (std::string target : {"/v1/tasks/1", "/v1/tasks/1/output", "/status/1"}) {
    INFO(target);
    Answer other = h.get(target, bob);
    CHECK(other.status == 404);
    CHECK(other.body == expected);
  }
  CHECK(h.del("/v1/tasks/1", bob).status == 404);
  CHECK(h.del("/api/tasks/1", bob).status == 404);
  CHECK(h.get("/v1/tasks/1", alice).status == 200);
}

TEST_CASE("server routes: /v1/nodes shows a client only its own running tasks, no token names") {
  ServiceHarness h;
  std::string admin = h.token("root", "admin");
  std::string alice = h.token("alice", "client");
  std::string bob = h.token("bob", "client");
  std::string node = h.token("rack-1", "node");
  REQUIRE(h.post("/v1/tasks", R"({"code":"a"})", alice).status == 201);
  REQUIRE(h.post("/v1/tasks", R"({"code":"b"})", bob).status == 201);
  REQUIRE(h.post("/v1/nodes/n1/heartbeat", beat_body(), node).status == 200);
  REQUIRE(h.post("/v1/nodes/n1/lease", "", node).status == 200);
  REQUIRE(h.post("/v1/nodes/n1/lease", "", node).status == 200);

  json::Value as_bob = h.get("/v1/nodes", bob).json();
  const json::Value& seen = as_bob.find("nodes")->as_array().at(0);
  REQUIRE(seen.find("running")->as_array().size() == 1);
  CHECK(seen.find("running")->as_array()[0].as_int() == 2);
  CHECK(seen.find("token_name") == nullptr);
  CHECK(h.get("/v1/nodes/n1", bob).body.find("rack-1") == std::string::npos);
  CHECK(h.get("/api/nodes", bob).body.find("rack-1") == std::string::npos);

  json::Value as_admin = h.get("/v1/nodes", admin).json();
  const json::Value& full = as_admin.find("nodes")->as_array().at(0);
  CHECK(full.find("running")->as_array().size() == 2);
  CHECK(full.find("token_name")->as_string() == "rack-1");
}

TEST_CASE("server routes: a lease does not tell the node who submitted the task") {
  ServiceHarness h;
  std::string alice = h.token("alice", "client");
  std::string node = h.token("rack-1", "node");
  REQUIRE(h.post("/v1/tasks", R"({"code":"x"})", alice).status == 201);
  REQUIRE(h.post("/v1/nodes/n1/heartbeat", beat_body(), node).status == 200);
  Answer lease = h.post("/v1/nodes/n1/lease", "", node);
  REQUIRE(lease.status == 200);
  CHECK(lease.body.find("alice") == std::string::npos);
  CHECK(lease.json().find("task")->find("spec")->find("code")->as_string() == "x");
  // The owner is still stored and shown to the client.
  CHECK(h.get("/v1/tasks/1", alice).json().find("owner")->as_string() == "alice");
}

TEST_CASE("server routes: /results comes in pages with next_after") {
  ServiceHarness h;
  std::string admin = h.token("root", "admin");
  for (int i = 0; i < 5; ++i) {
    REQUIRE(h.post("/v1/tasks", R"({"code":"x"})", admin).status == 201);
  }
  REQUIRE(h.post("/v1/nodes/n1/heartbeat", beat_body(), admin).status == 200);
  for (int id = 1; id <= 4; ++id) {
    Answer leased = h.get("/get_task?node_id=n1", admin);
    REQUIRE(leased.status == 200);
    std::string body = R"({"task_id":)" + std::to_string(id) + R"(,"result":"r"})";
    REQUIRE(h.post("/submit_result", body, admin).status == 200);
  }
  json::Value first = h.get("/results?limit=3", admin).json();
  CHECK(first.find("count")->as_int() == 3);
  CHECK(first.find("next_after")->as_int() == 3);
  json::Value rest = h.get("/results?limit=3&after=3", admin).json();
  CHECK(rest.find("count")->as_int() == 1);  // task 5 is still queued
  CHECK(rest.find("next_after")->is_null());
  CHECK(h.get("/results?limit=5000", admin).status == 400);
}

TEST_CASE("server routes: one node token registers at most max_nodes_per_token node ids") {
  server::ServiceOptions options;
  options.max_nodes_per_token = 2;
  ServiceHarness h(options);
  std::string node = h.token("rack-1", "node");
  CHECK(h.post("/v1/nodes/a/heartbeat", beat_body(), node).status == 200);
  CHECK(h.post("/v1/nodes/b/heartbeat", beat_body(), node).status == 200);
  Answer third = h.post("/v1/nodes/c/heartbeat", beat_body(), node);
  CHECK(third.status == 403);
  CHECK(third.body.find("max_nodes_per_token") != std::string::npos);
  CHECK(h.post("/api/nodes/register", R"({"node_id":"d"})", node).status == 403);
  CHECK(h.post("/v1/nodes/a/heartbeat", beat_body(), node).status == 200);  // its own: fine
}

TEST_CASE("server routes: the legacy adapter answers in the prototype's shapes") {
  ServiceHarness h;
  std::string admin = h.token("root", "admin");
  Answer submitted = h.post("/submit", R"j({"code":"print(1)"})j", admin);
  CHECK(submitted.status == 200);
  CHECK(submitted.json().find("status")->as_string() == "submitted");
  Answer assigned = h.get("/get_task?node_id=agent1", admin);
  CHECK(assigned.json().find("status")->as_string() == "assigned");
  CHECK(assigned.json().find("assigned_node")->as_string() == "agent1");
  CHECK(h.get("/get_task?node_id=agent1", admin).json().find("status")->as_string() ==
        "no_tasks");
  CHECK(h.post("/api/nodes/agent1/heartbeat", R"({"current_load":0.5})", admin).status == 200);
  Answer done = h.post("/submit_result", R"({"task_id":1,"result":"1\n"})", admin);
  CHECK(done.json().find("success")->as_bool());
  json::Value status = h.get("/status/1", admin).json();
  CHECK(status.find("status")->as_string() == "completed");
  CHECK(status.find("result")->as_string() == "1\n");
  CHECK(h.get("/stats", admin).json().find("completed")->as_int() == 1);
  CHECK(h.get("/api/nodes", admin).json().find("count")->as_int() == 1);
}
