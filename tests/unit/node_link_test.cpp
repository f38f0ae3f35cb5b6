#include <catch2/catch.hpp>

#include "api/node.hpp"
#include "node/http_link.hpp"
#include "node/link.hpp"

TEST_CASE("result body: a finished task's body is what the scheduler's parser accepts") {
  ia::sandbox::Outcome outcome;
  outcome.exit_code = 3;
  outcome.wall_ms = 1500;
  ia::api::TaggedOutput output;
  output.append("tail\n", false);
  output.append("warning\n", true);
  auto report = ia::api::parse_result(ia::node::result_body(9, outcome, false, output));
  REQUIRE(report);
  CHECK(report->lease_id == 9);
  CHECK(*report->exit_code == 3);
  CHECK(report->state == ia::api::TaskState::failed);
  CHECK(report->output == output);
  CHECK(report->output.stderr_ranges() == std::vector<ia::api::ByteRange>{{5, 13}});
  CHECK(report->wall_s == 1.5);
  CHECK(report->reason == "exited with code 3");
}

TEST_CASE("result body: output the sandbox or the node cut is reported as truncated") {
  ia::sandbox::Outcome outcome;
  auto whole = ia::api::parse_result(ia::node::result_body(2, outcome, false, {}));
  REQUIRE(whole);
  CHECK_FALSE(whole->output_truncated);
  outcome.stdout_truncated = true;
  auto cut = ia::api::parse_result(ia::node::result_body(2, outcome, false, {}));
  REQUIRE(cut);
  CHECK(cut->output_truncated);
  outcome.stdout_truncated = false;
  auto dropped = ia::api::parse_result(ia::node::result_body(2, outcome, false, {}, true));
  REQUIRE(dropped);
  CHECK(dropped->output_truncated);
}

TEST_CASE("result body: timeouts, vacates and sandbox failures each say what happened") {
  ia::sandbox::Outcome timed_out;
  timed_out.timed_out = true;
  timed_out.exit_code = 124;
  auto timeout = ia::api::parse_result(ia::node::result_body(1, timed_out, false, {}));
  REQUIRE(timeout);
  CHECK(timeout->state == ia::api::TaskState::timed_out);
  auto vacate = ia::api::parse_result(ia::node::result_body(1, timed_out, true, {}));
  REQUIRE(vacate);
  CHECK(vacate->vacate);
  ia::Result<ia::sandbox::Outcome> failed =
      ia::make_error(ia::ErrorCode::unsupported, "no user namespaces");
  auto broken = ia::api::parse_result(ia::node::result_body(1, failed, false, {}));
  REQUIRE(broken);
  CHECK(*broken->exit_code == 125);
  CHECK_THAT(broken->reason, Catch::Contains("no user namespaces"));
}

TEST_CASE("lease answer: the spec comes back as submitted, malformed answers are errors") {
  auto lease = ia::node::parse_lease(
      R"j({"task":{"task_id":4,"attempt":0,"spec":{"code":"print(1)","interpreter":"python3",)j"
      R"j("args":["x"],"timeout":60,"resources":{"cpu":1.0,"memory":256,"gpu":1}}},)j"
      R"j("lease":{"lease_id":17,"expires_in":30.0}})j");
  REQUIRE(lease);
  CHECK(lease->task_id == 4);
  CHECK(lease->lease_id == 17);
  CHECK(lease->spec.args == std::vector<std::string>{"x"});
  CHECK(lease->spec.resources.gpu == 1);
  for (const char* bad : {"{}", R"({"task":{"task_id":"4"},"lease":{"lease_id":1}})",
                          R"({"task":{"task_id":4,"spec":{}},"lease":{"lease_id":1}})", "nope"}) {
    INFO(bad);
    CHECK_FALSE(ia::node::parse_lease(bad));
  }
}
