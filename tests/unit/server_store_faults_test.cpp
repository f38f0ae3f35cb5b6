// The store contract under faults (DESIGN.md §7), with Service driven in-process on a
// real SQLite store in a small tmpfs that is then filled: no acknowledged task is lost,
// nothing unsaved is listed or leased, a result or output part posted during the outage
// lands once when retried after it, and no task id is given twice.
#include <sys/mount.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "server_faults_harness.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

using namespace ia;
using ia::test::Answer;
using ia::test::call;

namespace {

// A tmpfs of its own under dir, unmounted at the end; mounted() false (with why) where
// mounting is not allowed (not root, no CAP_SYS_ADMIN).
struct SmallDisk {
  std::string path;
  std::string why_not;
  explicit SmallDisk(const std::string& dir) : path(dir + "/disk") {
    std::filesystem::create_directories(path);
    if (::mount("tmpfs", path.c_str(), "tmpfs", 0, "size=4m") != 0) {
      why_not = std::string("mount tmpfs: ") + std::strerror(errno);
    }
  }
  ~SmallDisk() {
    if (mounted()) ::umount2(path.c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;
  bool mounted() const { return why_not.empty(); }

  // Writes a file until the disk refuses a byte more.
  void fill() const {
    std::FILE* file = std::fopen((path + "/filler").c_str(), "wb");
    REQUIRE(file);
    std::string block(4096, 'f');
    while (std::fwrite(block.data(), 1, block.size(), file) == block.size() &&
           std::fflush(file) == 0) {
    }
    for (int i = 0; i < 4096 && std::fputc('f', file) != EOF && std::fflush(file) == 0; ++i) {
    }
    std::fclose(file);
  }
  void free_up() const { std::filesystem::remove(path + "/filler"); }
};

std::string big(std::size_t size, char fill) { return std::string(size, fill); }

std::set<std::int64_t> listed_ids(server::Service& service) {
  Answer listed = call(service, "GET", "/v1/tasks?limit=1000");
  REQUIRE(listed.status == 200);
  std::set<std::int64_t> ids;
  json::Value answer = listed.json();
  for (const json::Value& task : answer.find("tasks")->as_array()) {
    ids.insert(task.find("task_id")->as_int());
  }
  return ids;
}

}  // namespace

TEST_CASE(
    "server faults: SQLite on a full disk: a 503 leaves nothing behind, and a result and "
    "output retried after the outage land once") {
  test::TempDir dir;
  SmallDisk disk(dir.str());
  if (!disk.mounted()) {
    WARN("skipped: " << disk.why_not << " (needs root for a tmpfs of its own)");
    return;
  }
  Logger log("ia-sched", LogLevel::error);
  auto store = store::open_store("sqlite://" + disk.path + "/sched.db");
  REQUIRE(store);
  std::set<std::int64_t> acknowledged;
  {
    server::Service service(std::move(*store), test::open_options(), log);
    REQUIRE(service.start());
    for (int i = 0; i < 3; ++i) {
      Answer submitted = call(service, "POST", "/v1/tasks", R"({"code":"x = 1"})");
      REQUIRE(submitted.status == 201);
      REQUIRE(acknowledged.insert(submitted.integer("task_id")).second);
    }
    REQUIRE(call(service, "POST", "/v1/nodes/n1/heartbeat",
                 R"({"capacity":{"cpu":1,"memory":1024}})").status == 200);
    Answer leased = call(service, "POST", "/v1/nodes/n1/lease");
    REQUIRE(leased.status == 200);
    std::int64_t task = leased.json().find("task")->find("task_id")->as_int();
    std::int64_t lease = leased.json().find("lease")->find("lease_id")->as_int();
    std::string lease_text = std::to_string(lease);
    REQUIRE(call(service, "POST", "/v1/tasks/" + std::to_string(task) + "/output",
                 R"({"lease_id":)" + lease_text + R"(,"offset":0,"data":"hello "})").status == 200);

    disk.fill();
    // Each of these needs pages the disk no longer has.
    Answer refused = call(service, "POST", "/v1/tasks",
                          R"({"code":")" + big(300'000, 'c') + R"("})");
    REQUIRE(refused.status == 503);
    // Small ones may fail only at COMMIT (or fit what the log has left): either answer
    // is fine, what counts is that the reread state agrees with it.
    for (int i = 0; i < 5; ++i) {
      Answer small = call(service, "POST", "/v1/tasks", R"({"code":"x = 3"})");
      REQUIRE((small.status == 201 || small.status == 503));
      if (small.status == 201) REQUIRE(acknowledged.insert(small.integer("task_id")).second);
    }
    std::string chunk = big(200'000, 'o');
    std::string output_body =
        R"({"lease_id":)" + lease_text + R"(,"offset":6,"data":")" + chunk + R"("})";
    std::string output_route = "/v1/tasks/" + std::to_string(task) + "/output";
    CHECK(call(service, "POST", output_route, output_body).status == 503);
    std::string result_body = R"({"lease_id":)" + lease_text +
                              R"(,"exit_code":0,"wall_time":1,"output":")" +
                              big(300'000, 'r') + R"("})";
    std::string result_route = "/v1/tasks/" + std::to_string(task) + "/result";
    CHECK(call(service, "POST", result_route, result_body).status == 503);
    // Whatever the watcher has done meanwhile, a lease is only ever of a saved task.
    Answer during = call(service, "POST", "/v1/nodes/n1/lease");
    if (during.status == 200) {
      CHECK(acknowledged.count(during.json().find("task")->find("task_id")->as_int()) == 1);
    } else {
      CHECK((during.status == 503 || during.status == 204));
    }
    Answer metrics = call(service, "GET", "/metrics");
    CHECK(metrics.body.find("ia_store_failed_writes_total 0") == std::string::npos);

    disk.free_up();
    REQUIRE(test::wait_store_up(service));
    // Nothing that was answered 503 is there; everything acknowledged is.
    CHECK(listed_ids(service) == acknowledged);
    // The output part and the result, retried, land; the part sent twice (its answer
    // lost) lands once.
    Answer appended = call(service, "POST", output_route, output_body);
    REQUIRE(appended.status == 200);
    CHECK(appended.integer("size") == 6 + 200'000);
    Answer again = call(service, "POST", output_route, output_body);
    REQUIRE(again.status == 200);
    CHECK(again.integer("size") == 6 + 200'000);
    Answer finished = call(service, "POST", result_route, result_body);
    REQUIRE(finished.status == 200);
    Answer shown = call(service, "GET", "/v1/tasks/" + std::to_string(task));
    CHECK(shown.json().find("status")->as_string() == "succeeded");
    Answer next = call(service, "POST", "/v1/tasks", R"({"code":"x = 2"})");
    REQUIRE(next.status == 201);
    CHECK(acknowledged.insert(next.integer("task_id")).second);  // never an id given before
    service.shutdown();
  }
  // What a restart finds: the same tasks, the output once.
  auto reopened = store::open_store("sqlite://" + disk.path + "/sched.db");
  REQUIRE(reopened);
  auto snapshot = (*reopened)->load();
  REQUIRE(snapshot);
  std::set<std::int64_t> stored;
  for (const api::Task& task : snapshot->tasks) {
    stored.insert(task.id);
    if (task.state == api::TaskState::succeeded) {
      CHECK(task.output.text() == "hello " + big(200'000, 'o') + big(300'000, 'r'));
    }
  }
  CHECK(stored == acknowledged);
}

TEST_CASE("server faults: /health names no store without a token and reports it down") {
  test::TempDir dir;
  SmallDisk disk(dir.str());
  if (!disk.mounted()) {
    WARN("skipped: " << disk.why_not << " (needs root for a tmpfs of its own)");
    return;
  }
  Logger log("ia-sched", LogLevel::error);
  auto store = store::open_store("sqlite://" + disk.path + "/sched.db");
  REQUIRE(store);
  server::ServiceOptions options;  // tokens required: /health is open, the rest not
  server::Service service(std::move(*store), options, log);
  REQUIRE(service.start());
  Answer health = call(service, "GET", "/health");
  REQUIRE(health.status == 200);
  CHECK(health.json().find("status")->as_string() == "healthy");
  CHECK(health.json().find("store")->as_string() == "up");
  CHECK(health.json().find("store_url") == nullptr);
  CHECK(health.body.find(disk.path) == std::string::npos);
  Answer metrics = call(service, "GET", "/metrics");
  CHECK(metrics.body.find("ia_store_up 1") != std::string::npos);
  service.shutdown();
}
