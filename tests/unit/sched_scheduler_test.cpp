#include <catch2/catch.hpp>

#include <set>

#include "sched/scheduler.hpp"

using namespace ia;
using namespace ia::sched;
using api::TaskState;

namespace {

// The clock is a plain number the test moves; the scheduler never reads time itself.
struct Fixture {
  Scheduler sched{Settings{10'000, 3}};
  std::int64_t now = 1'000'000;

  std::int64_t submit(std::int64_t priority = 0, double cpu = 1, std::int64_t retries = 3) {
    api::TaskSpec spec;
    spec.code = "x";
    spec.priority = priority;
    spec.resources.cpu = cpu;
    spec.max_retries = retries;
    Changes changes;
    return sched.submit(spec, now, changes).id;
  }
  void beat(const std::string& id, double cpu = 4, std::vector<api::LeaseRef> leases = {},
            std::vector<std::string> labels = {}) {
    api::Heartbeat heartbeat;
    heartbeat.capacity = api::Resources{cpu, 8192, 0};
    heartbeat.leases = std::move(leases);
    heartbeat.labels = std::move(labels);
    Changes changes;
    last_cancel = sched.heartbeat(id, heartbeat, now, changes);
  }
  const api::Task* lease(const std::string& id) {
    Changes changes;
    auto task = sched.lease(id, api::LeaseRequest{}, now, changes);
    REQUIRE(task);
    return *task;
  }
  Result<const api::Task*> finish(std::int64_t id, std::int64_t lease_id, int code = 0,
                                  bool vacate = false) {
    api::ResultReport report;
    report.lease_id = lease_id;
    report.exit_code = code;
    report.state = code == 0 ? TaskState::succeeded : TaskState::failed;
    report.vacate = vacate;
    report.wall_s = 2;
    Changes changes;
    return sched.finish(id, report, now, changes);
  }
  Changes tick() {
    Changes changes;
    sched.tick(now, changes);
    return changes;
  }
  std::vector<api::LeaseRef> last_cancel;
};

}  // namespace

TEST_CASE("sched: tasks are leased by priority, then age") {
  Fixture f;
  std::int64_t low = f.submit(0);
  std::int64_t high = f.submit(5);
  std::int64_t low2 = f.submit(0);
  f.beat("n1", 64);
  CHECK(f.lease("n1")->id == high);
  CHECK(f.lease("n1")->id == low);
  CHECK(f.lease("n1")->id == low2);
  CHECK(f.lease("n1") == nullptr);
}

TEST_CASE("sched: a lease needs a registered node") {
  Fixture f;
  Changes changes;
  auto result = f.sched.lease("ghost", api::LeaseRequest{}, f.now, changes);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == ErrorCode::node_not_found);
}

TEST_CASE("sched: matching respects free cpu and labels") {
  Fixture f;
  std::int64_t big = f.submit(0, 3);
  f.beat("n1", 4);
  CHECK(f.lease("n1")->id == big);
  f.submit(0, 2);
  CHECK(f.lease("n1") == nullptr);  // 1 core left
  api::TaskSpec labelled;
  labelled.code = "x";
  labelled.labels = {"gpu=rtx"};
  Changes changes;
  std::int64_t id = f.sched.submit(labelled, f.now, changes).id;
  f.beat("n2", 4);
  CHECK(f.lease("n2")->id != id);  // takes the 2-core task, not the labelled one
  f.beat("n3", 4, {}, {"gpu=rtx"});
  CHECK(f.lease("n3")->id == id);
}

TEST_CASE("sched: heartbeats renew a lease and mark it running, silence expires it") {
  Fixture f;
  std::int64_t id = f.submit();
  f.beat("n1");
  const api::Task* task = f.lease("n1");
  std::int64_t lease = task->lease_id;
  CHECK(task->state == TaskState::leased);
  f.now += 20'000;
  f.beat("n1", 4, {{id, lease}});
  CHECK(f.sched.task(id)->state == TaskState::running);
  f.now += 29'000;
  f.tick();
  CHECK(f.sched.task(id)->state == TaskState::running);  // renewed 29 s ago, ttl 30 s
  f.now += 2'000;
  f.tick();
  CHECK(f.sched.task(id)->state == TaskState::queued);
  CHECK(f.sched.task(id)->attempt == 1);
}

TEST_CASE("sched: a result from an expired lease is refused with 409") {
  Fixture f;
  std::int64_t id = f.submit();
  f.beat("n1");
  std::int64_t old_lease = f.lease("n1")->lease_id;
  f.now += 31'000;
  f.tick();
  f.beat("n2");
  std::int64_t new_lease = f.lease("n2")->lease_id;
  CHECK(new_lease != old_lease);
  auto stale = f.finish(id, old_lease);
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == ErrorCode::conflict);
  REQUIRE(f.finish(id, new_lease));
  CHECK(f.sched.task(id)->state == TaskState::succeeded);
  auto twice = f.finish(id, new_lease);
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == ErrorCode::conflict);
}

TEST_CASE("sched: expiries past max_retries fail the task with the reason") {
  Fixture f;
  std::int64_t id = f.submit(0, 1, 1);
  for (int round = 0; round < 2; ++round) {
    f.beat("n1");
    REQUIRE(f.lease("n1")->id == id);
    f.now += 31'000;
    f.tick();
  }
  const api::Task* task = f.sched.task(id);
  CHECK(task->state == TaskState::failed);
  CHECK(task->reason.find("lease lost 2 times") == 0);
  CHECK(task->reason.find("max_retries is 1") != std::string::npos);
}

TEST_CASE("sched: a vacated lease requeues without penalty") {
  Fixture f;
  std::int64_t id = f.submit(0, 1, 0);
  f.beat("n1");
  std::int64_t lease = f.lease("n1")->lease_id;
  REQUIRE(f.finish(id, lease, 0, true));
  CHECK(f.sched.task(id)->state == TaskState::queued);
  CHECK(f.sched.task(id)->attempt == 0);
}

TEST_CASE("sched: a lease that never reached its node goes back with its attempt unchanged") {
  Fixture f;
  std::int64_t id = f.submit();
  f.beat("n1");
  f.beat("n2");
  const api::Task* task = f.lease("n1");
  REQUIRE(task->id == id);
  std::int64_t lease_id = task->lease_id;
  Changes changes;
  CHECK_FALSE(f.sched.return_lease(id, lease_id + 1, f.now, changes));
  REQUIRE(f.sched.return_lease(id, lease_id, f.now, changes));
  CHECK(changes.try_dispatch);
  CHECK(f.sched.task(id)->state == TaskState::queued);
  CHECK(f.sched.task(id)->attempt == 0);
  CHECK(f.sched.node("n1")->running.empty());
  CHECK(f.lease("n2")->id == id);
  // Once the node has begun (a heartbeat or output made it running), it is not taken back.
  f.beat("n2", 4, {api::LeaseRef{id, f.sched.task(id)->lease_id}});
  REQUIRE(f.sched.task(id)->state == TaskState::running);
  CHECK_FALSE(f.sched.return_lease(id, f.sched.task(id)->lease_id, f.now, changes));
}

TEST_CASE("sched: cancel finishes a queued task at once and reaches a running one's node") {
  Fixture f;
  std::int64_t queued = f.submit();
  Changes changes;
  REQUIRE(f.sched.cancel(queued, f.now, changes));
  CHECK(f.sched.task(queued)->state == TaskState::cancelled);
  auto again = f.sched.cancel(queued, f.now, changes);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::conflict);
  CHECK(f.sched.cancel(999, f.now, changes).error().code == ErrorCode::task_not_found);

  std::int64_t running = f.submit();
  f.beat("n1");
  std::int64_t lease = f.lease("n1")->lease_id;
  REQUIRE(f.sched.cancel(running, f.now, changes));
  CHECK(f.sched.task(running)->state == TaskState::leased);
  f.beat("n1", 4, {{running, lease}});
  REQUIRE(f.last_cancel.size() == 1);
  CHECK(f.last_cancel[0].task_id == running);
  REQUIRE(f.finish(running, lease, 137));
  CHECK(f.sched.task(running)->state == TaskState::cancelled);
}

TEST_CASE("sched: a heartbeat naming an unknown lease is told to cancel it") {
  Fixture f;
  f.beat("n1", 4, {{77, 5}});
  REQUIRE(f.last_cancel.size() == 1);
  CHECK(f.last_cancel[0].task_id == 77);
}

TEST_CASE("sched: output appends are bounded by the task's limit") {
  Fixture f;
  api::TaskSpec spec;
  spec.code = "x";
  spec.output_limit = 5;
  Changes changes;
  std::int64_t id = f.sched.submit(spec, f.now, changes).id;
  f.beat("n1");
  std::int64_t lease = f.lease("n1")->lease_id;
  api::TaggedOutput defg;
  defg.append("de", true);
  defg.append("fg", false);
  CHECK(f.sched.append_output(id, lease, api::TaggedOutput("abc"), f.now, changes).value() == 3);
  CHECK(f.sched.append_output(id, lease, defg, f.now, changes).value() == 5);
  CHECK(f.sched.task(id)->output.text() == "abcde");
  CHECK(f.sched.task(id)->output.stderr_ranges() == std::vector<api::ByteRange>{{3, 5}});
  // Each stream's run is its own store append, so a restart can tell them apart.
  REQUIRE(changes.outputs.size() == 2);
  CHECK(changes.outputs[1].data == "de");
  CHECK(changes.outputs[1].from_stderr);
  CHECK(f.sched.task(id)->output_truncated);
  CHECK(f.sched.task(id)->state == TaskState::running);
  CHECK(f.sched.append_output(id, lease + 1, api::TaggedOutput("x"), f.now, changes).error().code ==
        ErrorCode::conflict);
}

TEST_CASE("sched: an output part sent again at its offset lands once, one past the end is refused") {
  Fixture f;
  api::TaskSpec spec;
  spec.code = "x";
  Changes changes;
  std::int64_t id = f.sched.submit(spec, f.now, changes).id;
  f.beat("n1");
  std::int64_t lease = f.lease("n1")->lease_id;
  CHECK(f.sched.append_output(id, lease, api::TaggedOutput("abc"), f.now, changes, 0).value() == 3);
  // The answer was lost and the node sends the part again, then the next one.
  CHECK(f.sched.append_output(id, lease, api::TaggedOutput("abc"), f.now, changes, 0).value() == 3);
  // Overlapping: only the new tail is kept.
  CHECK(f.sched.append_output(id, lease, api::TaggedOutput("cde"), f.now, changes, 2).value() == 5);
  CHECK(f.sched.task(id)->output.text() == "abcde");
  Result<std::size_t> gap =
      f.sched.append_output(id, lease, api::TaggedOutput("z"), f.now, changes, 9);
  REQUIRE_FALSE(gap);
  CHECK(gap.error().code == ErrorCode::conflict);
  CHECK(gap.error().message.find("past its end (5 bytes)") != std::string::npos);
  CHECK(f.sched.task(id)->output.text() == "abcde");
}

TEST_CASE("sched: task counts by state follow every transition (no walk over the tasks)") {
  Fixture f;
  api::TaskSpec spec;
  spec.code = "x";
  Changes changes;
  std::int64_t first = f.sched.submit(spec, f.now, changes).id;
  f.sched.submit(spec, f.now, changes);
  CHECK(f.sched.count(TaskState::queued) == 2);
  f.beat("n1");
  std::int64_t lease = f.lease("n1")->lease_id;
  CHECK(f.sched.count(TaskState::queued) == 1);
  CHECK(f.sched.count(TaskState::leased) == 1);
  REQUIRE(f.sched.append_output(first, lease, api::TaggedOutput("a"), f.now, changes));
  CHECK(f.sched.count(TaskState::running) == 1);
  api::ResultReport report;
  report.lease_id = lease;
  report.exit_code = 0;
  report.state = TaskState::succeeded;
  REQUIRE(f.sched.finish(first, report, f.now, changes));
  CHECK(f.sched.count(TaskState::running) == 0);
  CHECK(f.sched.count(TaskState::succeeded) == 1);
  sched::Stats stats = f.sched.stats(f.now);
  CHECK(stats.by_state[TaskState::succeeded] == 1);
  CHECK(stats.by_state[TaskState::queued] == 1);
  CHECK(stats.tasks_total == 2);
}

TEST_CASE("sched: silent nodes go offline with a node_left event") {
  Fixture f;
  f.beat("n1");
  f.now += 31'000;
  Changes changes = f.tick();
  REQUIRE(changes.events.size() == 1);
  CHECK(changes.events[0].name == "node_left");
  CHECK_FALSE(f.sched.node("n1")->online);
}

TEST_CASE("sched: dispatch serves waiting nodes in fair order") {
  Fixture f;
  f.beat("veteran");
  f.beat("fresh");
  // veteran: 20 tasks done, waiting 60 s -> score -60 + 2 = -58.
  // fresh: no tasks, waiting 70 s -> score -70 + 20 = -50. Lowest first: veteran.
  for (int i = 0; i < 20; ++i) {
    std::int64_t id = f.submit();
    REQUIRE(f.finish(id, f.lease("veteran")->lease_id));
  }
  CHECK(f.lease("fresh") == nullptr);
  f.now += 10'000;
  CHECK(f.lease("veteran") == nullptr);
  f.now += 60'000;
  f.beat("veteran");
  f.beat("fresh");
  auto order = f.sched.node_queue(f.now);
  REQUIRE(order.size() == 2);
  CHECK(order[0].node_id == "veteran");
  f.submit();
  Changes changes;
  auto grants = f.sched.dispatch(f.now, changes);
  REQUIRE(grants.size() == 1);
  CHECK(grants[0].node_id == "veteran");
}

TEST_CASE("sched: restore keeps queued tasks, ids and leases") {
  Fixture f;
  std::int64_t a = f.submit();
  std::int64_t b = f.submit();
  f.beat("n1");
  const api::Task* leased = f.lease("n1");
  store::Snapshot snapshot;
  for (std::int64_t id : {a, b}) snapshot.tasks.push_back(*f.sched.task(id));
  snapshot.nodes.push_back(f.sched.node("n1")->record);
  Scheduler restored{Settings{10'000, 3}};
  restored.restore(snapshot, f.now);
  CHECK(restored.queued() == 1);
  Changes changes;
  api::TaskSpec spec;
  spec.code = "y";
  CHECK(restored.submit(spec, f.now, changes).id == b + 1);
  CHECK(restored.task(leased->id)->lease_id == leased->lease_id);
}

TEST_CASE("sched: after a restart a requeued task never gets its old lease id again") {
  Fixture f;
  std::int64_t id = f.submit();
  f.beat("n1");
  std::int64_t old_lease = f.lease("n1")->lease_id;
  f.now += 31'000;
  f.tick();  // expired: queued again, the node may still post its result
  REQUIRE(f.sched.task(id)->state == TaskState::queued);
  store::Snapshot snapshot;
  snapshot.tasks.push_back(*f.sched.task(id));
  Scheduler restored{Settings{10'000, 3}};
  restored.restore(snapshot, f.now);
  Changes changes;
  api::Heartbeat heartbeat;
  heartbeat.capacity = api::Resources{4, 8192, 0};
  (void)restored.heartbeat("n2", heartbeat, f.now, changes);
  auto granted = restored.lease("n2", api::LeaseRequest{}, f.now, changes);
  REQUIRE(granted);
  REQUIRE(*granted);
  CHECK((*granted)->lease_id != old_lease);
  api::ResultReport stale;
  stale.lease_id = old_lease;
  stale.state = TaskState::succeeded;
  stale.exit_code = 0;
  auto refused = restored.finish(id, stale, f.now, changes);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::conflict);
  // The old node's heartbeat naming its dead lease is told to cancel it.
  heartbeat.leases = {{id, old_lease}};
  auto cancel = restored.heartbeat("n1", heartbeat, f.now, changes);
  REQUIRE(cancel.size() == 1);
  CHECK(cancel[0].lease_id == old_lease);
}

TEST_CASE("sched: stats count states, nodes and the last hour") {
  Fixture f;
  std::int64_t id = f.submit();
  f.submit();
  f.beat("n1");
  f.beat("n2");
  REQUIRE(f.finish(id, f.lease("n1")->lease_id));
  Stats stats = f.sched.stats(f.now);
  CHECK(stats.tasks_total == 2);
  CHECK(stats.by_state[TaskState::succeeded] == 1);
  CHECK(stats.by_state[TaskState::queued] == 1);
  CHECK(stats.tasks_last_hour == 1);
  CHECK(stats.average_run_s == 2);
  CHECK(stats.nodes_total == 2);
  CHECK(stats.capacity_online.cpu == 8);
}

TEST_CASE("sched: a task that ends frees its node's room for waiting nodes, a queued one does not") {
  Fixture f;
  std::int64_t running = f.submit();
  std::int64_t queued = f.submit();
  f.beat("n1");
  std::int64_t lease_id = f.lease("n1")->lease_id;
  api::ResultReport report;
  report.lease_id = lease_id;
  report.exit_code = 0;
  Changes finished;
  REQUIRE(f.sched.finish(running, report, f.now, finished));
  CHECK(finished.try_dispatch);
  Changes cancelled;
  REQUIRE(f.sched.cancel(queued, f.now, cancelled));
  CHECK_FALSE(cancelled.try_dispatch);
}

TEST_CASE("sched: a list limited to one owner skips everyone else's tasks") {
  Fixture f;
  Changes changes;
  for (std::string owner : {"alice", "bob", "alice", "bob"}) {
    api::TaskSpec spec;
    spec.code = "x";
    spec.owner = owner;
    f.sched.submit(spec, f.now, changes);
  }
  auto ids = [](const std::vector<const api::Task*>& tasks) {
    std::vector<std::int64_t> out;
    for (const api::Task* task : tasks) out.push_back(task->id);
    return out;
  };
  CHECK(ids(f.sched.list(std::nullopt, 0, 10, "alice")) == std::vector<std::int64_t>{1, 3});
  CHECK(ids(f.sched.list(std::nullopt, 1, 1, "bob")) == std::vector<std::int64_t>{2});
  CHECK(ids(f.sched.list(std::nullopt, 0, 10)) == std::vector<std::int64_t>{1, 2, 3, 4});
  CHECK(f.sched.list(TaskState::succeeded, 0, 10, "alice").empty());
  CHECK(f.sched.list(std::nullopt, 0, 10, "carol").empty());
}

TEST_CASE("sched: set_owner records the node's token once and leaves unknown nodes alone") {
  Fixture f;
  f.beat("n1");
  Changes first;
  f.sched.set_owner("n1", "one", first);
  CHECK(f.sched.node("n1")->record.owner == "one");
  CHECK(first.nodes.count("n1") == 1);
  Changes again;
  f.sched.set_owner("n1", "one", again);
  CHECK(again.nodes.empty());  // nothing new to store
  Changes unknown;
  f.sched.set_owner("n9", "one", unknown);
  CHECK(f.sched.node("n9") == nullptr);
  CHECK(unknown.nodes.empty());
}

TEST_CASE("sched: each lease of a task gets a new random id") {
  Fixture f;
  std::int64_t id = f.submit();
  f.beat("n1");
  std::set<std::int64_t> seen;
  for (int round = 0; round < 20; ++round) {
    std::int64_t lease = f.lease("n1")->lease_id;
    CHECK(lease >= 1);
    CHECK(lease <= (std::int64_t{1} << 53) - 1);
    CHECK(seen.insert(lease).second);
    REQUIRE(f.finish(id, lease, 0, true));  // vacate: queued again
  }
  CHECK(*seen.rbegin() - *seen.begin() > 20);  // not a counter
}
