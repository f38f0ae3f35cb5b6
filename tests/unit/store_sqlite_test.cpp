// The store suite, written against store::Store so every backend runs the same cases;
// here on real SQLite files in a temporary directory.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "store/store.hpp"

using namespace ia;
using namespace ia::store;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    char pattern[] = "/tmp/ia-store-XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string url() const { return "sqlite://" + path + "/sched.db"; }
  std::string path;
};

std::unique_ptr<Store> open_ok(const std::string& url) {
  auto store = open_store(url);
  REQUIRE(store);
  return std::move(*store);
}

api::Task sample_task(std::int64_t id) {
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

}  // namespace

TEST_CASE("store: a fresh store is empty and has the current schema") {
  TempDir dir;
  auto store = open_ok(dir.url());
  auto snapshot = store->load();
  REQUIRE(snapshot);
  CHECK(snapshot->tasks.empty());
  CHECK(snapshot->nodes.empty());
  CHECK(snapshot->tokens.empty());
}

TEST_CASE("store: tasks, output, nodes and tokens survive a restart field by field") {
  TempDir dir;
  {
    auto store = open_ok(dir.url());
    Batch batch;
    api::Task task = sample_task(1);
    task.state = api::TaskState::failed;
    task.exit_code = 3;
    task.attempt = 2;
    task.node_id = "n1";
    task.lease_id = 9;
    task.reason = "exit 3";
    task.wall_s = 1.5;
    task.cancel_requested = true;
    batch.tasks.push_back(task);
    batch.tasks.push_back(sample_task(2));
    batch.outputs.push_back(OutputAppend{1, 0, "hello "});
    batch.outputs.push_back(OutputAppend{1, 6, std::string("wor\0ld", 6)});
    batch.nodes.push_back(NodeRecord{"n1", {4, 8192, 1}, {"os=linux", "zone=a"}, 1, 2, 3, 4.5, 6,
                                     "node-token-1"});
    batch.tokens.push_back(TokenRecord{"admin", "admin", "abc", 7, false});
    REQUIRE(store->write_sync(batch));
    store->close();
  }
  auto store = open_ok(dir.url());
  auto snapshot = store->load();
  REQUIRE(snapshot);
  REQUIRE(snapshot->tasks.size() == 2);
  const api::Task& task = snapshot->tasks[0];
  CHECK(task.state == api::TaskState::failed);
  CHECK(task.exit_code == 3);
  CHECK(task.attempt == 2);
  CHECK(task.node_id == "n1");
  CHECK(task.lease_id == 9);
  CHECK(task.reason == "exit 3");
  CHECK(task.wall_s == 1.5);
  CHECK(task.cancel_requested);
  CHECK(task.output.text() == std::string("hello wor\0ld", 12));
  CHECK(task.spec.code == "print(1)");
  CHECK(task.spec.args == std::vector<std::string>{"a", "b c"});
  CHECK(task.spec.owner == "alice");
  CHECK(task.spec.priority == 5);
  CHECK_FALSE(snapshot->tasks[1].exit_code);
  REQUIRE(snapshot->nodes.size() == 1);
  CHECK(snapshot->nodes[0].labels == std::vector<std::string>{"os=linux", "zone=a"});
  CHECK(snapshot->nodes[0].compute_s == 4.5);
  CHECK(snapshot->nodes[0].owner == "node-token-1");
  REQUIRE(snapshot->tokens.size() == 1);
  CHECK(snapshot->tokens[0].hash == "abc");
}

TEST_CASE("store: an upsert replaces the task and a repeated output chunk is kept once") {
  TempDir dir;
  auto store = open_ok(dir.url());
  api::Task task = sample_task(1);
  REQUIRE(store->write_sync(Batch{{task}, {{1, 0, "ab"}}, {}, {}}));
  task.state = api::TaskState::succeeded;
  REQUIRE(store->write_sync(Batch{{task}, {{1, 0, "ab"}, {1, 2, "cd"}}, {}, {}}));
  auto snapshot = store->load();
  REQUIRE(snapshot);
  REQUIRE(snapshot->tasks.size() == 1);
  CHECK(snapshot->tasks[0].state == api::TaskState::succeeded);
  CHECK(snapshot->tasks[0].output.text() == "abcd");
}

TEST_CASE("store: many concurrent writers all get durable acknowledgements") {
  TempDir dir;
  constexpr int k_threads = 8;
  constexpr int k_each = 250;
  std::atomic<int> acknowledged{0};
  {
    auto store = open_ok(dir.url());
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < k_each; ++i) {
          if (store->write_sync(Batch{{sample_task(t * k_each + i + 1)}, {}, {}, {}})) {
            ++acknowledged;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  CHECK(acknowledged == k_threads * k_each);
  auto store = open_ok(dir.url());
  auto snapshot = store->load();
  REQUIRE(snapshot);
  CHECK(snapshot->tasks.size() == k_threads * k_each);
}

TEST_CASE("store: an acknowledged write survives the process dying without close") {
  TempDir dir;
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto store = open_store(dir.url());
    if (!store) _exit(2);
    bool ok = (*store)->write_sync(Batch{{sample_task(42)}, {}, {}, {}}).ok();
    _exit(ok ? 0 : 3);  // no close, no destructors: as abrupt as kill -9 after the answer
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  auto store = open_ok(dir.url());
  auto snapshot = store->load();
  REQUIRE(snapshot);
  REQUIRE(snapshot->tasks.size() == 1);
  CHECK(snapshot->tasks[0].id == 42);
}

TEST_CASE("store: writes after close fail as unavailable") {
  TempDir dir;
  auto store = open_ok(dir.url());
  store->close();
  Status status = store->write_sync(Batch{{sample_task(1)}, {}, {}, {}});
  REQUIRE_FALSE(status);
  CHECK(status.error().code == ErrorCode::unavailable);
}

TEST_CASE("store: a schema newer than this build is refused with a hint") {
  TempDir dir;
  open_ok(dir.url())->close();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir.path + "/sched.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto store = open_store(dir.url());
  REQUIRE_FALSE(store);
  CHECK(store.error().message.find("schema version 99") != std::string::npos);
}

TEST_CASE("store: bad URLs and unreachable paths are clear errors") {
  auto unknown = open_store("mysql://x");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::invalid_argument);
  auto postgres = open_store("postgresql://localhost/ia");
  REQUIRE_FALSE(postgres);
  CHECK(postgres.error().code == ErrorCode::unsupported);
  auto missing_dir = open_store("sqlite:///nonexistent-dir-ia/x.db");
  REQUIRE_FALSE(missing_dir);
  CHECK(missing_dir.error().message.find("/nonexistent-dir-ia/x.db") != std::string::npos);
}

TEST_CASE("store: output runs keep their stream across a restart") {
  TempDir dir;
  {
    auto store = open_ok(dir.url());
    REQUIRE(store->write_sync(
        Batch{{sample_task(1)}, {{1, 0, "out "}, {1, 4, "err", true}, {1, 7, "!"}}, {}, {}}));
  }
  auto snapshot = open_ok(dir.url())->load();
  REQUIRE(snapshot);
  const api::TaggedOutput& output = snapshot->tasks[0].output;
  CHECK(output.text() == "out err!");
  CHECK(output.stderr_ranges() == std::vector<api::ByteRange>{{4, 7}});
}

TEST_CASE("store: a version 1 store is migrated and its output reads as stdout") {
  TempDir dir;
  {
    auto store = open_ok(dir.url());
    REQUIRE(store->write_sync(Batch{{sample_task(1)}, {{1, 0, "old"}}, {}, {}}));
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir.path + "/sched.db").c_str(), &db) == SQLITE_OK);
  // What version 1 wrote: the table without the stream column.
  REQUIRE(sqlite3_exec(db,
                       "ALTER TABLE task_output DROP COLUMN from_stderr; "
                       "ALTER TABLE nodes DROP COLUMN owner; PRAGMA user_version = 1",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto store = open_ok(dir.url());
  auto snapshot = store->load();
  REQUIRE(snapshot);
  CHECK(snapshot->tasks[0].output.text() == "old");
  CHECK(snapshot->tasks[0].output.stderr_ranges().empty());
  REQUIRE(store->write_sync(Batch{{}, {{1, 3, "new", true}}, {}, {}}));
  CHECK(store->load()->tasks[0].output.stderr_ranges() == std::vector<api::ByteRange>{{3, 6}});
}

TEST_CASE("store: a version 2 store is migrated and its nodes are unclaimed") {
  TempDir dir;
  {
    auto store = open_ok(dir.url());
    REQUIRE(store->write_sync(Batch{{}, {}, {NodeRecord{"n1", {1, 64, 0}, {}, 1, 2, 0, 0, 0, "x"}},
                                    {}}));
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir.path + "/sched.db").c_str(), &db) == SQLITE_OK);
  // What version 2 wrote: nodes without the owner column.
  REQUIRE(sqlite3_exec(db, "ALTER TABLE nodes DROP COLUMN owner; PRAGMA user_version = 2",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto store = open_ok(dir.url());
  auto snapshot = store->load();
  REQUIRE(snapshot);
  REQUIRE(snapshot->nodes.size() == 1);
  CHECK(snapshot->nodes[0].id == "n1");
  CHECK(snapshot->nodes[0].owner.empty());
  REQUIRE(store->write_sync(Batch{{}, {}, {NodeRecord{"n1", {1, 64, 0}, {}, 1, 2, 0, 0, 0, "y"}},
                                  {}}));
  CHECK(store->load()->nodes[0].owner == "y");
}
