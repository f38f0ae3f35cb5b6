// The store suite on SQLite: the Store contract's cases (store_cases.hpp) on real
// SQLite files in a temporary directory, and the SQLite-only ones: bad paths, migrations
// from the schema versions earlier builds wrote.
#include <sqlite3.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "store/store.hpp"
#include "store_cases.hpp"

using namespace ia;
using namespace ia::store;
using ia::test::open_ok;
using ia::test::sample_task;
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

class SqliteBackend final : public ia::test::StoreBackend {
 public:
  std::string url() const override { return m_dir.url(); }
  void set_schema_version(int version) override {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((m_dir.path + "/sched.db").c_str(), &db) == SQLITE_OK);
    std::string sql = "PRAGMA user_version = " + std::to_string(version);
    REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }

 private:
  TempDir m_dir;
};

}  // namespace

IA_STORE_CONTRACT_CASES(SqliteBackend)

TEST_CASE("store: bad URLs and unreachable paths are clear errors") {
  auto unknown = open_store("mysql://x");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::invalid_argument);
  CHECK(unknown.error().message.find("mysql://x") != std::string::npos);
  auto missing_dir = open_store("sqlite:///nonexistent-dir-ia/x.db");
  REQUIRE_FALSE(missing_dir);
  CHECK(missing_dir.error().message.find("/nonexistent-dir-ia/x.db") != std::string::npos);
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
