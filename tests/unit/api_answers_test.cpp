// The node's answers (lease, heartbeat) as ia-sched writes them and ia-node reads them.
#include <catch2/catch.hpp>

#include "api/answers.hpp"

using namespace ia;

TEST_CASE("answers: a lease round-trips and never carries the submitter's name") {
  api::LeaseAnswer lease;
  lease.task_id = 7;
  lease.attempt = 2;
  lease.spec.code = "print(1)";
  lease.spec.args = {"a", "b"};
  lease.spec.owner = "alice";
  lease.lease_id = 123456789;
  lease.expires_in_s = 30;
  lease.heartbeat_interval_s = 10;
  std::string text = api::write_lease_answer(lease);
  CHECK(text.find("alice") == std::string::npos);
  CHECK(text.find("owner") == std::string::npos);
  Result<api::LeaseAnswer> back = api::parse_lease_answer(text);
  REQUIRE(back);
  CHECK(back->task_id == 7);
  CHECK(back->attempt == 2);
  CHECK(back->lease_id == 123456789);
  CHECK(back->spec.code == "print(1)");
  CHECK(back->spec.args == std::vector<std::string>{"a", "b"});
  CHECK(back->spec.owner.empty());
  CHECK(back->expires_in_s == 30);
  CHECK(back->heartbeat_interval_s == 10);
  for (const char* bad : {"", "[]", R"({"task":{"task_id":1},"lease":{"lease_id":2}})",
                          R"({"task":{"task_id":1,"spec":{"code":""}},"lease":{"lease_id":2}})"}) {
    INFO(bad);
    Result<api::LeaseAnswer> parsed = api::parse_lease_answer(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().message.find("malformed") != std::string::npos);
  }
}

TEST_CASE("answers: a heartbeat answer round-trips its cancellations and timing") {
  api::HeartbeatAnswer beat{{{3, 30}, {4, 40}}, 10, 30};
  Result<api::HeartbeatAnswer> back = api::parse_heartbeat_answer(api::write_heartbeat_answer(beat));
  REQUIRE(back);
  REQUIRE(back->cancel.size() == 2);
  CHECK(back->cancel[1].task_id == 4);
  CHECK(back->cancel[1].lease_id == 40);
  CHECK(back->heartbeat_interval_s == 10);
  CHECK(back->lease_expiry_s == 30);
  CHECK_FALSE(api::parse_heartbeat_answer("not json"));
}
