#include <catch2/catch.hpp>

#include "node/owner_policy.hpp"

using ia::Millis;
using ia::node::Action;
using ia::node::Decision;
using ia::node::Observation;
using ia::node::OwnerPolicy;
using ia::node::RunningTask;

namespace {
constexpr std::int64_t k_minute = 60'000;
Observation idle_at(std::int64_t t) { return {t, true, {}}; }
Observation busy_at(std::int64_t t) { return {t, false, {}}; }
}  // namespace

TEST_CASE("owner policy: the owner returning freezes every task at once, idle again thaws") {
  OwnerPolicy policy{Millis(10 * k_minute)};
  std::vector<RunningTask> tasks{{2, {}}, {1, {0}}};
  CHECK(policy.decide(idle_at(0), tasks).empty());
  CHECK(policy.decide(busy_at(1000), tasks) ==
        std::vector<Decision>{{1, Action::freeze}, {2, Action::freeze}});
  CHECK(policy.is_frozen(1));
  CHECK(policy.decide(busy_at(2000), tasks).empty());
  CHECK(policy.decide(idle_at(3000), tasks) ==
        std::vector<Decision>{{1, Action::thaw}, {2, Action::thaw}});
  CHECK_FALSE(policy.is_frozen(1));
}

TEST_CASE("owner policy: frozen past the grace period means vacate, not before") {
  OwnerPolicy policy{Millis(10 * k_minute)};
  std::vector<RunningTask> tasks{{5, {}}};
  CHECK(policy.decide(busy_at(0), tasks) == std::vector<Decision>{{5, Action::freeze}});
  CHECK(policy.decide(busy_at(10 * k_minute - 1), tasks).empty());
  CHECK(policy.decide(busy_at(10 * k_minute), tasks) == std::vector<Decision>{{5, Action::vacate}});
  CHECK_FALSE(policy.is_frozen(5));
}

TEST_CASE("owner policy: a brief return restarts the grace period") {
  OwnerPolicy policy{Millis(10 * k_minute)};
  std::vector<RunningTask> tasks{{5, {}}};
  policy.decide(busy_at(0), tasks);
  policy.decide(idle_at(9 * k_minute), tasks);
  CHECK(policy.decide(busy_at(9 * k_minute + 1), tasks) ==
        std::vector<Decision>{{5, Action::freeze}});
  CHECK(policy.decide(busy_at(15 * k_minute), tasks).empty());
}

TEST_CASE("owner policy: a GPU the owner uses freezes only the tasks on that GPU") {
  OwnerPolicy policy{Millis(10 * k_minute)};
  std::vector<RunningTask> tasks{{1, {}}, {2, {0}}, {3, {1}}, {4, {0, 1}}};
  Observation gpu0_busy{1000, true, {0}};
  CHECK(policy.decide(gpu0_busy, tasks) ==
        std::vector<Decision>{{2, Action::freeze}, {4, Action::freeze}});
  CHECK_FALSE(policy.is_frozen(1));
  CHECK_FALSE(policy.is_frozen(3));
  CHECK(OwnerPolicy::accepts_work(gpu0_busy));
  CHECK_FALSE(OwnerPolicy::accepts_work(busy_at(0)));
}

TEST_CASE("owner policy: finished tasks are forgotten") {
  OwnerPolicy policy{Millis(k_minute)};
  policy.decide(busy_at(0), {{9, {}}});
  CHECK(policy.is_frozen(9));
  CHECK(policy.decide(busy_at(1), {}).empty());
  CHECK_FALSE(policy.is_frozen(9));
}
