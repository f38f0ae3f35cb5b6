#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <set>

#include "core/file.hpp"
#include "node/backoff.hpp"
#include "node/identity.hpp"
#include "node/spool.hpp"
#include "temp_dir.hpp"

using ia::test::TempDir;

TEST_CASE("spool: results survive a new Spool object (a restarted agent) until removed") {
  TempDir dir;
  std::string spool_dir = dir.str() + "/spool";
  {
    ia::node::Spool spool(spool_dir);
    REQUIRE(spool.open());
    REQUIRE(spool.put({42, "lease-a", R"({"exit_code":0})"}));
    REQUIRE(spool.put({7, "lease-b", R"({"exit_code":1})"}));
  }
  ia::node::Spool reopened(spool_dir);
  REQUIRE(reopened.open());
  auto listed = reopened.list();
  REQUIRE(listed);
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].task_id == 7);
  CHECK((*listed)[0].lease_id == "lease-b");
  CHECK((*listed)[1].body == R"({"exit_code":0})");
  REQUIRE(reopened.remove(7, "lease-b"));
  CHECK(reopened.list()->size() == 1);
  struct stat info{};
  REQUIRE(::stat(spool_dir.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
}

TEST_CASE("spool: refuses lease ids that could name a path outside the spool") {
  TempDir dir;
  ia::node::Spool spool(dir.str());
  REQUIRE(spool.open());
  CHECK_FALSE(spool.put({1, "../../etc/passwd", "{}"}));
  CHECK_FALSE(spool.put({1, "", "{}"}));
  CHECK_FALSE(spool.put({0, "ok", "{}"}));
  CHECK(spool.list()->empty());
}

TEST_CASE("spool: ignores leftover temporary files and foreign names") {
  TempDir dir;
  dir.write("3_x.result.json.tmp.99", "partial");
  dir.write("notes.txt", "hello");
  dir.write("abc_x.result.json", "{}");
  ia::node::Spool spool(dir.str());
  CHECK(spool.list()->empty());
}

TEST_CASE("identity: derives hostname plus machine-id prefix and cleans odd characters") {
  CHECK(ia::node::derive_node_id("lab-pc.local", "0123456789abcdef0123456789abcdef\n") ==
        "lab-pc.local-01234567");
  CHECK(ia::node::derive_node_id("my host/é", "") == "my-host---");
  CHECK(ia::node::derive_node_id("", "ffff") == "node-ffff");
}

TEST_CASE("identity: validates configured ids and names the bad character") {
  CHECK(ia::node::validate_node_id("gpu-box_1.lab"));
  auto bad = ia::node::validate_node_id("a b");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("' '"));
  CHECK_FALSE(ia::node::validate_node_id(std::string(65, 'a')));
  CHECK_FALSE(ia::node::validate_node_id(""));
}

TEST_CASE("identity: a derived id is persisted and stays the same on the next start") {
  TempDir dir;
  dir.write("root/etc/machine-id", "deadbeef00112233\n");
  std::string state = dir.str() + "/state";
  auto first = ia::node::resolve_node_id("", state, dir.str() + "/root");
  REQUIRE(first);
  CHECK_THAT(*first, Catch::EndsWith("-deadbeef"));
  dir.write("root/etc/machine-id", "0000000000000000\n");
  auto second = ia::node::resolve_node_id("", state, dir.str() + "/root");
  REQUIRE(second);
  CHECK(*second == *first);
  CHECK(*ia::node::resolve_node_id("configured-1", state) == "configured-1");
  CHECK_FALSE(ia::node::resolve_node_id("bad id", state));
}

TEST_CASE("identity: a corrupted saved id is an error that says how to recover") {
  TempDir dir;
  dir.write("node_id", "not valid!\n");
  auto id = ia::node::resolve_node_id("", dir.str());
  REQUIRE_FALSE(id);
  CHECK_THAT(id.error().hint, Catch::Contains("delete"));
}

TEST_CASE("backoff: delays grow to the cap, are jittered, and reset") {
  ia::node::Backoff backoff(ia::Millis(100), ia::Millis(5000), 1234);
  std::set<long long> seen;
  for (int i = 0; i < 200; ++i) {
    ia::Millis delay = backoff.next();
    CHECK(delay.count() >= 0);
    CHECK(delay.count() <= 5000);
    seen.insert(delay.count());
  }
  CHECK(seen.size() > 50);
  CHECK(backoff.attempts() == 200);
  backoff.reset();
  for (int i = 0; i < 20; ++i) {
    ia::node::Backoff fresh(ia::Millis(100), ia::Millis(5000), static_cast<unsigned>(i));
    CHECK(fresh.next().count() <= 100);
  }
}

TEST_CASE("file: durable writes replace whole files and leave no temporary behind") {
  TempDir dir;
  std::string path = dir.str() + "/f";
  REQUIRE(ia::write_file_durably(path, "one"));
  REQUIRE(ia::write_file_durably(path, "two", 0600));
  CHECK(*ia::read_file(path) == "two");
  CHECK(ia::list_directory(dir.str())->size() == 1);
  auto missing = ia::read_file(dir.str() + "/nope");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::StartsWith("open " + dir.str() + "/nope: "));
  CHECK_FALSE(ia::write_file_durably(dir.str() + "/no/such/dir/f", "x"));
}
