// The Store contract as case functions, run by each backend's test file against a real
// store: store_sqlite_test.cpp on SQLite files, store_pg_test.cpp on a PostgreSQL server.
// Each case gets a backend that names one fresh, empty store of its own.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/store.hpp"

namespace ia::test {

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  // The URL of this case's store; the same for every open within the case.
  virtual std::string url() const = 0;
  // Marks the store as a later ia-sched would leave it.
  virtual void set_schema_version(int version) = 0;
};

inline std::unique_ptr<store::Store> open_ok(const std::string& url) {
  auto store = store::open_store(url);
  if (!store) FAIL("open " << url << ": " << store.error().describe());
  return std::move(*store);
}

inline api::Task sample_task(std::int64_t id) {
  api::Task task;
  task.id = id;
  task.spec.code = "print(" + std::to_string(id) + ")";
  task.spec.interpreter = "python3";
  task.spec.args = {"a", "b c"};
  task.spec.env = {{"K", "V"}};
  task.spec.labels = {"os=linux"};
  task.spec.owner = "alice";
  task.spec.priority = 5;
  task.created_ms = 1000 + id;
  return task;
}

inline void fresh_store_is_empty(StoreBackend& backend) {
  auto store = open_ok(backend.url());
  auto snapshot = store->load();
  REQUIRE(snapshot);
  CHECK(snapshot->tasks.empty());
  CHECK(snapshot->nodes.empty());
  CHECK(snapshot->tokens.empty());
}

inline store::Batch full_batch() {
  store::Batch batch;
  api::Task task = sample_task(1);
  task.state = api::TaskState::failed;
  task.exit_code = 3;
  task.attempt = 2;
  task.started_ms = 11;
  task.finished_ms = 12;
  task.node_id = "n1";
  task.lease_id = 9007199254740991;
  task.lease_expires_ms = 13;
  // Bytes from outside that no check keeps to UTF-8 text: a node's reason, a token name.
  task.reason = std::string("exit\0 3\xff", 8);
  task.wall_s = 1.5;
  task.output_truncated = true;
  task.cancel_requested = true;
  batch.tasks.push_back(task);
  batch.tasks.push_back(sample_task(2));
  batch.outputs.push_back(store::OutputAppend{1, 0, "hello "});
  batch.outputs.push_back(store::OutputAppend{1, 6, std::string("wor\0ld", 6)});
  // Output is UTF-8 text (invalid bytes become U+FFFD on append), NUL included.
  batch.outputs.push_back(store::OutputAppend{1, 12, std::string("\0\xc3\xa9!", 4), true});
  batch.nodes.push_back(store::NodeRecord{
      "n1", {4.5, 8192, 1}, {"os=linux", "zone=a"}, 1, 2, 3, 4.5, 6, "node-token-\xff"});
  batch.tokens.push_back(store::TokenRecord{"admin", "admin", "abc", 7, false});
  batch.tokens.push_back(store::TokenRecord{"old\xff", "client", "def", 8, true});
  return batch;
}

inline void check_full_task(const api::Task& task) {
  CHECK(task.state == api::TaskState::failed);
  CHECK(task.exit_code == 3);
  CHECK(task.attempt == 2);
  CHECK(task.created_ms == 1001);
  CHECK(task.started_ms == 11);
  CHECK(task.finished_ms == 12);
  CHECK(task.node_id == "n1");
  CHECK(task.lease_id == 9007199254740991);
  CHECK(task.lease_expires_ms == 13);
  CHECK(task.reason == std::string("exit\0 3\xff", 8));
  CHECK(task.wall_s == 1.5);
  CHECK(task.output_truncated);
  CHECK(task.cancel_requested);
  CHECK(task.output.text() == std::string("hello wor\0ld\0\xc3\xa9!", 16));
  CHECK(task.output.stderr_ranges() == std::vector<api::ByteRange>{{12, 16}});
  CHECK(task.spec.code == "print(1)");
  CHECK(task.spec.interpreter == "python3");
  CHECK(task.spec.args == std::vector<std::string>{"a", "b c"});
  CHECK(task.spec.env == std::vector<std::pair<std::string, std::string>>{{"K", "V"}});
  CHECK(task.spec.labels == std::vector<std::string>{"os=linux"});
  CHECK(task.spec.owner == "alice");
  CHECK(task.spec.priority == 5);
}

inline void records_survive_restart(StoreBackend& backend) {
  {
    auto store = open_ok(backend.url());
    REQUIRE(store->write_sync(full_batch()));
    store->close();
  }
  auto store = open_ok(backend.url());
  auto snapshot = store->load();
  REQUIRE(snapshot);
  REQUIRE(snapshot->tasks.size() == 2);
  check_full_task(snapshot->tasks[0]);
  CHECK(snapshot->tasks[1].id == 2);
  CHECK(snapshot->tasks[1].state == api::TaskState::queued);
  CHECK_FALSE(snapshot->tasks[1].exit_code);
  REQUIRE(snapshot->nodes.size() == 1);
  const store::NodeRecord& node = snapshot->nodes[0];
  CHECK(node.id == "n1");
  CHECK(node.capacity.cpu == 4.5);
  CHECK(node.capacity.memory_mib == 8192);
  CHECK(node.capacity.gpu == 1);
  CHECK(node.labels == std::vector<std::string>{"os=linux", "zone=a"});
  CHECK(node.first_seen_ms == 1);
  CHECK(node.last_heartbeat_ms == 2);
  CHECK(node.completed == 3);
  CHECK(node.compute_s == 4.5);
  CHECK(node.last_served_ms == 6);
  CHECK(node.owner == "node-token-\xff");
  REQUIRE(snapshot->tokens.size() == 2);
  CHECK(snapshot->tokens[0].name == "admin");
  CHECK(snapshot->tokens[0].role == "admin");
  CHECK(snapshot->tokens[0].hash == "abc");
  CHECK(snapshot->tokens[0].created_ms == 7);
  CHECK_FALSE(snapshot->tokens[0].revoked);
  CHECK(snapshot->tokens[1].name == "old\xff");
  CHECK(snapshot->tokens[1].revoked);
  auto tokens = store->tokens();
  REQUIRE(tokens);
  CHECK(tokens->size() == 2);
}

inline void upsert_replaces(StoreBackend& backend) {
  auto store = open_ok(backend.url());
  api::Task task = sample_task(1);
  REQUIRE(store->write_sync(store::Batch{{task}, {{1, 0, "ab"}}, {}, {}}));
  task.state = api::TaskState::succeeded;
  task.exit_code = 0;
  REQUIRE(store->write_sync(store::Batch{{task}, {{1, 0, "ab"}, {1, 2, "cd"}}, {}, {}}));
  store::NodeRecord node{"n1", {1, 64, 0}, {}, 1, 2, 0, 0, 0, "x"};
  REQUIRE(store->write_sync(store::Batch{{}, {}, {node}, {{"t", "client", "h1", 1, false}}}));
  node.completed = 5;
  node.owner = "y";
  REQUIRE(store->write_sync(store::Batch{{}, {}, {node}, {{"t", "client", "h2", 1, true}}}));
  auto snapshot = store->load();
  REQUIRE(snapshot);
  REQUIRE(snapshot->tasks.size() == 1);
  CHECK(snapshot->tasks[0].state == api::TaskState::succeeded);
  CHECK(snapshot->tasks[0].exit_code == 0);
  CHECK(snapshot->tasks[0].output.text() == "abcd");
  REQUIRE(snapshot->nodes.size() == 1);
  CHECK(snapshot->nodes[0].completed == 5);
  CHECK(snapshot->nodes[0].owner == "y");
  REQUIRE(snapshot->tokens.size() == 1);
  CHECK(snapshot->tokens[0].hash == "h2");
  CHECK(snapshot->tokens[0].revoked);
}

inline void concurrent_writers_all_durable(StoreBackend& backend) {
  constexpr int k_threads = 8;
  constexpr int k_each = 250;
  std::atomic<int> acknowledged{0};
  {
    auto store = open_ok(backend.url());
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < k_each; ++i) {
          if (store->write_sync(store::Batch{{sample_task(t * k_each + i + 1)}, {}, {}, {}})) {
            ++acknowledged;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  CHECK(acknowledged == k_threads * k_each);
  auto snapshot = open_ok(backend.url())->load();
  REQUIRE(snapshot);
  CHECK(snapshot->tasks.size() == k_threads * k_each);
}

inline void acknowledged_write_survives_death(StoreBackend& backend) {
  std::string url = backend.url();
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto store = store::open_store(url);
    if (!store) _exit(2);
    bool ok = (*store)->write_sync(store::Batch{{sample_task(42)}, {}, {}, {}}).ok();
    _exit(ok ? 0 : 3);  // no close, no destructors: as abrupt as kill -9 after the answer
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  auto snapshot = open_ok(url)->load();
  REQUIRE(snapshot);
  REQUIRE(snapshot->tasks.size() == 1);
  CHECK(snapshot->tasks[0].id == 42);
}

inline void writes_after_close_fail(StoreBackend& backend) {
  auto store = open_ok(backend.url());
  REQUIRE(store->write_sync(store::Batch{{sample_task(1)}, {}, {}, {}}));
  store->close();
  Status status = store->write_sync(store::Batch{{sample_task(2)}, {}, {}, {}});
  REQUIRE_FALSE(status);
  CHECK(status.error().code == ErrorCode::unavailable);
}

inline void newer_schema_refused(StoreBackend& backend) {
  open_ok(backend.url())->close();
  backend.set_schema_version(99);
  auto store = store::open_store(backend.url());
  REQUIRE_FALSE(store);
  CHECK(store.error().code == ErrorCode::unsupported);
  CHECK(store.error().message.find("schema version 99") != std::string::npos);
  CHECK(store.error().hint.find("newer ia-sched") != std::string::npos);
}

inline void output_runs_keep_stream(StoreBackend& backend) {
  {
    auto store = open_ok(backend.url());
    REQUIRE(store->write_sync(store::Batch{
        {sample_task(1)}, {{1, 0, "out "}, {1, 4, "err", true}, {1, 7, "!"}}, {}, {}}));
  }
  auto snapshot = open_ok(backend.url())->load();
  REQUIRE(snapshot);
  const api::TaggedOutput& output = snapshot->tasks[0].output;
  CHECK(output.text() == "out err!");
  CHECK(output.stderr_ranges() == std::vector<api::ByteRange>{{4, 7}});
}

}  // namespace ia::test

// The contract's cases as TEST_CASEs, named alike for every backend; Backend is a
// StoreBackend with a default constructor that makes a fresh store.
#define IA_STORE_CONTRACT_CASES(Backend)                                                       \
  TEST_CASE("store: a fresh store is empty and has the current schema") {                      \
    Backend backend;                                                                           \
    ia::test::fresh_store_is_empty(backend);                                                   \
  }                                                                                            \
  TEST_CASE("store: tasks, output, nodes and tokens survive a restart field by field") {       \
    Backend backend;                                                                           \
    ia::test::records_survive_restart(backend);                                                \
  }                                                                                            \
  TEST_CASE("store: an upsert replaces the record and a repeated output chunk is kept once") { \
    Backend backend;                                                                           \
    ia::test::upsert_replaces(backend);                                                        \
  }                                                                                            \
  TEST_CASE("store: many concurrent writers all get durable acknowledgements") {               \
    Backend backend;                                                                           \
    ia::test::concurrent_writers_all_durable(backend);                                         \
  }                                                                                            \
  TEST_CASE("store: an acknowledged write survives the process dying without close") {         \
    Backend backend;                                                                           \
    ia::test::acknowledged_write_survives_death(backend);                                      \
  }                                                                                            \
  TEST_CASE("store: writes after close fail as unavailable") {                                 \
    Backend backend;                                                                           \
    ia::test::writes_after_close_fail(backend);                                                \
  }                                                                                            \
  TEST_CASE("store: a schema newer than this build is refused with a hint") {                  \
    Backend backend;                                                                           \
    ia::test::newer_schema_refused(backend);                                                   \
  }                                                                                            \
  TEST_CASE("store: output runs keep their stream across a restart") {                         \
    Backend backend;                                                                           \
    ia::test::output_runs_keep_stream(backend);                                                \
  }
