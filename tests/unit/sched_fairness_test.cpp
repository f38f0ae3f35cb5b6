#include <catch2/catch.hpp>

#include "sched/fairness.hpp"
#include "sched/matching.hpp"

using namespace ia::sched;

TEST_CASE("fairness: the score follows the design's formula") {
  CHECK(fair_score(0, 0) == 20);
  CHECK(fair_score(30, 5) == Approx(-30 + 0.5 + 10));
  CHECK(fair_score(10, 200) == Approx(-10 + 10));  // contribution bonus capped at 10
}

TEST_CASE("fairness: a node waiting over five minutes is served first regardless") {
  std::int64_t now = 10'000'000;
  std::vector<FairInput> waiting{
      {"busy", now - 200'000, 1000, now - 1000},
      {"starved", now - 301'000, 0, 0},
      {"longer", now - 400'000, 0, 0},
  };
  auto order = fair_order(waiting, now);
  CHECK(order[0].node_id == "longer");
  CHECK(order[1].node_id == "starved");
  CHECK(order[0].band == "high");
  CHECK(order[0].reason.find("over 5 minutes") != std::string::npos);
}

TEST_CASE("fairness: bands say why") {
  std::int64_t now = 10'000'000;
  CHECK(fair_entry({"a", now - 1000, 2, 0}, now).band == "high");
  CHECK(fair_entry({"b", now - 120'000, 50, 0}, now).band == "medium");
  CHECK(fair_entry({"c", now - 1000, 50, now - 600'000}, now).band == "low");
  CHECK(fair_entry({"d", now - 1000, 50, now - 3'600'000}, now).band == "normal");
}

TEST_CASE("matching: requests must fit free capacity and labels") {
  ia::api::TaskSpec spec;
  spec.resources = {2, 1024, 1};
  CHECK(fits(spec, {2, 1024, 1}, {}));
  CHECK_FALSE(fits(spec, {1.5, 1024, 1}, {}));
  CHECK_FALSE(fits(spec, {2, 1000, 1}, {}));
  CHECK_FALSE(fits(spec, {2, 1024, 0}, {}));
  spec.labels = {"zone=a"};
  CHECK_FALSE(fits(spec, {4, 4096, 1}, {"zone=b"}));
  CHECK(fits(spec, {4, 4096, 1}, {"zone=b", "zone=a"}));
}
