// The store suite on PostgreSQL: the Store contract's cases (store_cases.hpp) against the
// server CTest's pg-server fixture starts (tests/helpers/pg-server), one database per
// case, and the PostgreSQL-only ones: one ia-sched per database, a lost connection,
// passwords kept out of URLs and errors.
#include <libpq-fe.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "server_faults_harness.hpp"
#include "store/store.hpp"
#include "store_cases.hpp"

using namespace ia;
using namespace ia::store;
using ia::test::open_ok;
using ia::test::sample_task;

namespace {

std::string socket_dir() {
  const char* dir = std::getenv("IA_TEST_PG_SOCKET_DIR");
  if (!dir || !*dir) {
    FAIL(
        "IA_TEST_PG_SOCKET_DIR is not set: run these through ctest, whose pg-server fixture "
        "starts PostgreSQL (tests/helpers/pg-server start DIR)");
  }
  return dir;
}

std::string url_of(const std::string& database) {
  return "postgresql:///" + database + "?host=" + socket_dir() + "&user=postgres";
}

// Runs sql on database as the superuser; the first value of the first row, or "".
std::string sql(const std::string& database, const std::string& statement) {
  PGconn* conn = PQconnectdb(url_of(database).c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    FAIL("connect to the test PostgreSQL in " << socket_dir() << ": " << why
                                              << "(is the pg-server fixture running?)");
  }
  PGresult* result = PQexec(conn, statement.c_str());
  ExecStatusType status = PQresultStatus(result);
  std::string value =
      status == PGRES_TUPLES_OK && PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
  std::string why = PQresultErrorMessage(result);
  PQclear(result);
  PQfinish(conn);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    FAIL(statement << ": " << why);
  }
  return value;
}

std::string fresh_database_name() {
  std::random_device random;
  std::uniform_int_distribution<std::uint64_t> any;
  return "ia_test_" + std::to_string(any(random));
}

class PgBackend final : public ia::test::StoreBackend {
 public:
  PgBackend() : m_database(fresh_database_name()) {
    sql("postgres", "CREATE DATABASE " + m_database);
  }
  ~PgBackend() override {
    // FORCE: a case that failed halfway may leave a store open.
    PGconn* conn = PQconnectdb(url_of("postgres").c_str());
    PQclear(PQexec(conn, ("DROP DATABASE IF EXISTS " + m_database + " WITH (FORCE)").c_str()));
    PQfinish(conn);
  }
  PgBackend(const PgBackend&) = delete;
  PgBackend& operator=(const PgBackend&) = delete;

  std::string url() const override { return url_of(m_database); }
  void set_schema_version(int version) override {
    sql(m_database,
        "UPDATE ia_meta SET value = " + std::to_string(version) + " WHERE key = 'schema_version'");
  }
  const std::string& database() const { return m_database; }

 private:
  std::string m_database;
};

// The backend pid of the store's connection (its application_name is ia-sched).
std::string store_backend_pid(const PgBackend& backend) {
  return sql("postgres", "SELECT pid FROM pg_stat_activity WHERE datname = '" + backend.database() +
                             "' AND application_name = 'ia-sched'");
}

void wait_until_gone(const std::string& pid) {
  for (int i = 0; i < 100; ++i) {
    if (sql("postgres", "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid) == "0") {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("backend " << pid << " did not exit after pg_terminate_backend");
}

}  // namespace

IA_STORE_CONTRACT_CASES(PgBackend)

TEST_CASE("store: a second store on the same PostgreSQL database is refused, naming why") {
  PgBackend backend;
  auto first = open_ok(backend.url());
  auto second = open_store(backend.url());
  REQUIRE_FALSE(second);
  CHECK(second.error().code == ErrorCode::conflict);
  CHECK(second.error().message.find("another ia-sched holds this database") != std::string::npos);
  CHECK(second.error().message.find("sharing one database is not built yet") != std::string::npos);
  CHECK(second.error().hint.find("stop the other ia-sched") != std::string::npos);
  first->close();
  auto after = open_store(backend.url());
  CHECK(after);
}

TEST_CASE("store: a tool opens a PostgreSQL database beside its server and writes tokens") {
  PgBackend backend;
  auto server = open_ok(backend.url());
  auto tool = open_store(backend.url(), Access::tool);
  REQUIRE(tool);
  REQUIRE((*tool)->write_sync(Batch{{}, {}, {}, {TokenRecord{"n1", "node", "h1", 7, false}}}));
  (*tool)->close();
  auto tokens = server->tokens();
  REQUIRE(tokens);
  REQUIRE(tokens->size() == 1);
  CHECK((*tokens)[0].name == "n1");
  // The tool took no lock, and closing it let go of none: a second server is still refused.
  CHECK_FALSE(open_store(backend.url()));
}

TEST_CASE(
    "store: a PostgreSQL connection killed under the store fails every write until load() "
    "reconnects and resume()") {
  PgBackend backend;
  auto store = open_ok(backend.url());
  REQUIRE(store->write_sync(Batch{{sample_task(1)}, {}, {}, {}}));
  std::string pid = store_backend_pid(backend);
  REQUIRE_FALSE(pid.empty());
  REQUIRE(sql("postgres", "SELECT pg_terminate_backend(" + pid + ")") == "t");
  wait_until_gone(pid);
  Status lost = store->write_sync(Batch{{sample_task(2)}, {}, {}, {}});
  REQUIRE_FALSE(lost);
  CHECK(lost.error().code == ErrorCode::unavailable);
  CHECK(lost.error().message.find("connection lost") != std::string::npos);
  // Built on the unsaved task 2: refused too, and the store is not reconnected by a
  // write (its owner's memory is stale until it has reread the store).
  Status after = store->write_sync(Batch{{sample_task(3)}, {}, {}, {}});
  REQUIRE_FALSE(after);
  CHECK(after.error().code == ErrorCode::unavailable);
  CHECK(store_backend_pid(backend).empty());
  auto snapshot = store->load();  // reconnects
  REQUIRE(snapshot);
  REQUIRE(snapshot->tasks.size() == 1);
  CHECK(snapshot->tasks[0].id == 1);
  CHECK(store_backend_pid(backend) != pid);
  Status still = store->write_sync(Batch{{sample_task(4)}, {}, {}, {}});
  CHECK_FALSE(still);  // until resume()
  store->resume();
  REQUIRE(store->write_sync(Batch{{sample_task(5)}, {}, {}, {}}));
  // The new session holds the lock again: a second store is still refused.
  CHECK_FALSE(open_store(backend.url()));
  snapshot = store->load();
  REQUIRE(snapshot);
  REQUIRE(snapshot->tasks.size() == 2);
  CHECK(snapshot->tasks[0].id == 1);
  CHECK(snapshot->tasks[1].id == 5);
}

TEST_CASE("store: a PostgreSQL URL's password shows neither in url() nor in errors") {
  PgBackend backend;
  // trust authentication ignores the passwords; they only have to stay hidden.
  std::string in_user =
      "postgresql://postgres:s3cret@/" + backend.database() + "?host=" + socket_dir();
  auto store = open_ok(in_user);
  CHECK(store->url() == "postgresql://postgres@/" + backend.database() + "?host=" + socket_dir());
  store->close();
  auto in_query = open_ok(backend.url() + "&password=s3cret");
  CHECK(in_query->url() == backend.url());
  in_query->close();
  auto refused = open_store("postgres://ia:s3cret@/ia?host=/nonexistent-ia-socket-dir");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::unavailable);
  CHECK(refused.error().message.find("/nonexistent-ia-socket-dir") != std::string::npos);
  CHECK(refused.error().message.find("s3cret") == std::string::npos);
  CHECK(refused.error().hint.find("server is running") != std::string::npos);
}

TEST_CASE("store: bad PostgreSQL URLs and missing databases are clear errors") {
  auto bad_option = open_store("postgresql:///ia?nosuchoption=1&password=s3cret");
  REQUIRE_FALSE(bad_option);
  CHECK(bad_option.error().code == ErrorCode::invalid_argument);
  CHECK(bad_option.error().message.find("nosuchoption") != std::string::npos);
  CHECK(bad_option.error().message.find("s3cret") == std::string::npos);
  auto missing = open_store(url_of("ia_no_such_database"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::unavailable);
  CHECK(missing.error().message.find("ia_no_such_database") != std::string::npos);
}

TEST_CASE(
    "store: a PostgreSQL store that lost its database to another one writes nothing "
    "until it gets it back") {
  PgBackend backend;
  auto first = open_ok(backend.url());
  REQUIRE(first->write_sync(Batch{{sample_task(1)}, {}, {}, {}}));
  std::string pid = store_backend_pid(backend);
  REQUIRE(sql("postgres", "SELECT pg_terminate_backend(" + pid + ")") == "t");
  wait_until_gone(pid);
  auto second = open_ok(backend.url());
  Status lost = first->write_sync(Batch{{sample_task(2)}, {}, {}, {}});
  REQUIRE_FALSE(lost);
  CHECK(lost.error().code == ErrorCode::unavailable);
  // Reconnected by load, but the lock is the other store's: refused, nothing read or
  // written through.
  auto refused = first->load();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::conflict);
  CHECK(refused.error().message.find("another ia-sched holds this database") != std::string::npos);
  REQUIRE(second->write_sync(Batch{{sample_task(3)}, {}, {}, {}}));
  second->close();
  CHECK_FALSE(first->write_sync(Batch{{sample_task(4)}, {}, {}, {}}));
  // Its lock back, it reads what the other store wrote before writing again.
  auto snapshot = first->load();
  REQUIRE(snapshot);
  REQUIRE(snapshot->tasks.size() == 2);
  CHECK(snapshot->tasks[1].id == 3);
  first->resume();
  REQUIRE(first->write_sync(Batch{{sample_task(5)}, {}, {}, {}}));
  snapshot = first->load();
  REQUIRE(snapshot);
  REQUIRE(snapshot->tasks.size() == 3);
  CHECK(snapshot->tasks[0].id == 1);
  CHECK(snapshot->tasks[2].id == 5);
}

TEST_CASE("store: two stores opening an empty PostgreSQL database at once both migrate it") {
  // Before the migration lock, one failed on pg_type's unique index most of the time.
  for (int round = 0; round < 4; ++round) {
    PgBackend backend;
    Result<std::unique_ptr<Store>> first = make_error(ErrorCode::internal, "not run");
    Result<std::unique_ptr<Store>> second = make_error(ErrorCode::internal, "not run");
    std::thread other([&] { first = open_store(backend.url(), Access::tool); });
    second = open_store(backend.url(), Access::tool);
    other.join();
    INFO("round " << round);
    REQUIRE(first);
    REQUIRE(second);
    REQUIRE((*first)->write_sync(Batch{{sample_task(1)}, {}, {}, {}}));
    (*first)->close();
    (*second)->close();
  }
}

TEST_CASE("store: a PostgreSQL statement that outlives the store timeout fails, unhung") {
  PgBackend backend;
  auto store = open_store(backend.url(), StoreOptions{Access::server, 1000});
  REQUIRE(store);
  REQUIRE((*store)->write_sync(Batch{{sample_task(1)}, {}, {}, {}}));
  // Another session holds the row lock the write needs, past the timeout.
  PGconn* blocker = PQconnectdb(url_of(backend.database()).c_str());
  REQUIRE(PQstatus(blocker) == CONNECTION_OK);
  PQclear(PQexec(blocker, "BEGIN"));
  PQclear(PQexec(blocker, "SELECT * FROM tasks WHERE id = 1 FOR UPDATE"));
  auto started = std::chrono::steady_clock::now();
  Status stuck = (*store)->write_sync(Batch{{sample_task(1)}, {}, {}, {}});
  auto took = std::chrono::steady_clock::now() - started;
  PQclear(PQexec(blocker, "ROLLBACK"));
  PQfinish(blocker);
  REQUIRE_FALSE(stuck);
  CHECK(stuck.error().code != ErrorCode::internal);
  // Bounded by the timeout (1 s), not by the blocker: the bound is generous for a slow
  // machine, the point is that it returned at all.
  CHECK(took < std::chrono::seconds(30));
  (*store)->close();
}

// Service on PostgreSQL under faults (DESIGN.md §7): driven in-process, as
// server_store_faults_test.cpp does on SQLite.
namespace {

std::set<std::int64_t> listed_ids(server::Service& service) {
  test::Answer listed = test::call(service, "GET", "/v1/tasks?limit=1000");
  REQUIRE(listed.status == 200);
  json::Value answer = listed.json();
  std::set<std::int64_t> ids;
  for (const json::Value& task : answer.find("tasks")->as_array()) {
    ids.insert(task.find("task_id")->as_int());
  }
  return ids;
}

constexpr const char* k_submit = R"({"code":"x = 1"})";

}  // namespace

TEST_CASE(
    "server faults: PostgreSQL session terminated: 503 until reconnected and reread, the "
    "lease survives and its result lands") {
  PgBackend backend;
  Logger log("ia-sched", LogLevel::error);
  auto store = open_ok(backend.url());
  server::Service service(std::move(store), test::open_options(), log);
  REQUIRE(service.start());
  std::set<std::int64_t> acknowledged;
  for (int i = 0; i < 2; ++i) {
    test::Answer submitted = test::call(service, "POST", "/v1/tasks", k_submit);
    REQUIRE(submitted.status == 201);
    acknowledged.insert(submitted.integer("task_id"));
  }
  REQUIRE(test::call(service, "POST", "/v1/nodes/n1/heartbeat",
                     R"({"capacity":{"cpu":1,"memory":1024}})").status == 200);
  test::Answer leased = test::call(service, "POST", "/v1/nodes/n1/lease");
  REQUIRE(leased.status == 200);
  std::int64_t task = leased.json().find("task")->find("task_id")->as_int();
  std::string lease = std::to_string(leased.json().find("lease")->find("lease_id")->as_int());

  std::string pid = store_backend_pid(backend);
  REQUIRE(sql("postgres", "SELECT pg_terminate_backend(" + pid + ")") == "t");
  wait_until_gone(pid);
  // Either refused (503) or, once the watcher has reconnected and reread, saved (201):
  // never answered from a lost session.
  for (int i = 0; i < 5; ++i) {
    test::Answer submitted = test::call(service, "POST", "/v1/tasks", k_submit);
    REQUIRE((submitted.status == 201 || submitted.status == 503));
    if (submitted.status == 201) REQUIRE(acknowledged.insert(submitted.integer("task_id")).second);
  }
  REQUIRE(test::wait_store_up(service));
  CHECK(listed_ids(service) == acknowledged);
  test::Answer finished =
      test::call(service, "POST", "/v1/tasks/" + std::to_string(task) + "/result",
                 R"({"lease_id":)" + lease + R"(,"exit_code":0,"wall_time":1,"output":"ok"})");
  CHECK(finished.status == 200);
  test::Answer metrics = test::call(service, "GET", "/metrics");
  CHECK(metrics.body.find("ia_store_outages_total 1") != std::string::npos);
  CHECK(metrics.body.find("ia_store_rereads_total 0") == std::string::npos);
  service.shutdown();
}

TEST_CASE(
    "server faults: an ia-sched whose PostgreSQL lock went to another stays off the air, "
    "then rereads what the other wrote instead of overwriting it") {
  PgBackend backend;
  Logger log("ia-sched", LogLevel::error);
  server::Service service(open_ok(backend.url()), test::open_options(), log);
  REQUIRE(service.start());
  test::Answer submitted = test::call(service, "POST", "/v1/tasks", k_submit);
  REQUIRE(submitted.status == 201);
  // The other ia-sched: waits on the lock, and gets it the moment the first's session ends.
  PGconn* other = PQconnectdb(url_of(backend.database()).c_str());
  REQUIRE(PQstatus(other) == CONNECTION_OK);
  REQUIRE(PQsendQuery(other, "SELECT pg_advisory_lock(7593400420335641956)") == 1);
  std::string pid = store_backend_pid(backend);
  REQUIRE(sql("postgres", "SELECT pg_terminate_backend(" + pid + ")") == "t");
  for (PGresult* result = PQgetResult(other); result; result = PQgetResult(other)) {
    CHECK(PQresultStatus(result) == PGRES_TUPLES_OK);
    PQclear(result);
  }
  PQclear(PQexec(other, "UPDATE tasks SET state = 'cancelled', reason = 'by the other' "
                        "WHERE id = 1"));
  // It notices (its watcher probes the session every quarter second)...
  bool noticed = false;
  for (int i = 0; i < 600 && !noticed; ++i) {
    noticed = test::call(service, "GET", "/health").status == 503;
    if (!noticed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(noticed);
  // ...and cannot have its lock back: every answer meanwhile is 503.
  for (int i = 0; i < 20; ++i) {
    CHECK(test::call(service, "GET", "/v1/tasks/1").status == 503);
    CHECK(test::call(service, "POST", "/v1/tasks", k_submit).status == 503);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(test::call(service, "GET", "/health").status == 503);
  PQfinish(other);
  REQUIRE(test::wait_store_up(service));
  test::Answer shown = test::call(service, "GET", "/v1/tasks/1");
  REQUIRE(shown.status == 200);
  CHECK(shown.json().find("status")->as_string() == "cancelled");
  test::Answer next = test::call(service, "POST", "/v1/tasks", k_submit);
  REQUIRE(next.status == 201);
  CHECK(next.integer("task_id") == 2);
  service.shutdown();
  CHECK(sql(backend.database(), "SELECT state FROM tasks WHERE id = 1") == "cancelled");
}
