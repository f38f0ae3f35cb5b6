#include <catch2/catch.hpp>

#include "api/node.hpp"

using namespace ia;
using namespace ia::api;

TEST_CASE("api: heartbeat reads capacity, labels, load, idle and leases") {
  auto beat = parse_heartbeat(R"J({"capacity":{"cpu":8,"memory":16384,"gpu":1},
      "labels":["os=linux"],"load":0.5,"idle":false,"leases":[{"task_id":3,"lease_id":9}]})J");
  REQUIRE(beat);
  CHECK(beat->capacity.cpu == 8);
  CHECK(beat->capacity.memory_mib == 16384);
  CHECK(beat->labels.size() == 1);
  CHECK_FALSE(beat->idle);
  REQUIRE(beat->leases.size() == 1);
  CHECK(beat->leases[0].lease_id == 9);
}

TEST_CASE("api: heartbeat errors name the field") {
  auto bad_lease = parse_heartbeat(R"J({"leases":[{"task_id":"x","lease_id":1}]})J");
  REQUIRE_FALSE(bad_lease);
  CHECK(bad_lease.error().message.find("leases[].task_id") == 0);
  auto bad_cpu = parse_heartbeat(R"J({"capacity":{"cpu":"lots"}})J");
  REQUIRE_FALSE(bad_cpu);
  CHECK(bad_cpu.error().message.find("capacity.cpu") == 0);
  auto bad_idle = parse_heartbeat(R"J({"idle":"yes"})J");
  REQUIRE_FALSE(bad_idle);
  CHECK(bad_idle.error().message.find("idle:") == 0);
  // The store keeps a node's labels one per line: a newline would split one in two.
  auto split_label = parse_heartbeat(R"J({"labels":["gpu\nfast"]})J");
  REQUIRE_FALSE(split_label);
  CHECK(split_label.error().message.find("labels[0]: holds the control character 0x0a") == 0);
  std::string node_id;
  auto split_tag = parse_legacy_register(R"J({"node_id":"n1","tags":{"a":"b\nc"}})J", node_id);
  REQUIRE_FALSE(split_tag);
  CHECK(split_tag.error().message.find("tags.a: holds the control character") == 0);
}

TEST_CASE("api: result needs a lease and an exit code unless vacating") {
  auto ok = parse_result(R"J({"lease_id":4,"exit_code":0,"output":"hi","wall_time":1.5})J");
  REQUIRE(ok);
  CHECK(ok->state == TaskState::succeeded);
  CHECK(ok->output.text() == "hi");
  auto failed = parse_result(R"J({"lease_id":4,"exit_code":2})J");
  REQUIRE(failed);
  CHECK(failed->state == TaskState::failed);
  auto vacate = parse_result(R"J({"lease_id":4,"vacate":true})J");
  REQUIRE(vacate);
  CHECK(vacate->vacate);
  auto missing = parse_result(R"J({"exit_code":0})J");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("lease_id: missing") == 0);
  auto no_code = parse_result(R"J({"lease_id":4})J");
  REQUIRE_FALSE(no_code);
  CHECK(no_code.error().message.find("exit_code") == 0);
  auto bad_status = parse_result(R"J({"lease_id":4,"exit_code":0,"status":"queued"})J");
  REQUIRE_FALSE(bad_status);
  CHECK(bad_status.error().message.find("status:") == 0);
}

TEST_CASE("api: ids in paths are checked") {
  CHECK(parse_task_id("42").value() == 42);
  for (const char* bad : {"0", "-1", "abc", "", "1x", "99999999999999999999"}) {
    INFO(bad);
    CHECK_FALSE(parse_task_id(bad));
  }
  CHECK(check_node_id("node-1.lab_a"));
  CHECK_FALSE(check_node_id(""));
  CHECK_FALSE(check_node_id("a/b"));
  CHECK_FALSE(check_node_id(std::string(129, 'a')));
}

TEST_CASE("api: wait seconds reject negatives and absurd values") {
  CHECK(parse_wait_seconds("timeout", "30", 3600).value() == 30);
  CHECK_FALSE(parse_wait_seconds("timeout", "-1", 3600));
  CHECK_FALSE(parse_wait_seconds("timeout", "99999", 3600));
  CHECK_FALSE(parse_wait_seconds("timeout", "x", 3600));
}

TEST_CASE("api: legacy register reads the prototype's capacity and tags") {
  std::string id;
  auto beat = parse_legacy_register(
      R"J({"node_id":"n1","capacity":{"cpu_cores":4,"memory_gb":8,"gpu_count":1},
          "tags":{"zone":"a"}})J",
      id);
  REQUIRE(beat);
  CHECK(id == "n1");
  CHECK(beat->capacity.cpu == 4);
  CHECK(beat->capacity.memory_mib == 8192);
  CHECK(beat->labels == std::vector<std::string>{"zone=a"});
  CHECK_FALSE(parse_legacy_register(R"J({"capacity":{}})J", id));
}
