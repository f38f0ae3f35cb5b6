#include <catch2/catch.hpp>

#include "client/task_input.hpp"

namespace {

const char* const k_environ[] = {"GREETING=hi", "IA_TOKEN=secret", "PATH=/here/bin",
                                 "HOME=/home/me", "WITH=EQ=x", "BAD-NAME=1", nullptr};

}  // namespace

TEST_CASE("task input: nothing of the environment goes unless named") {
  auto none = ia::client::exported_env({}, false, k_environ);
  REQUIRE(none);
  CHECK(none->empty());
  auto named = ia::client::exported_env({"GREETING,WITH", "EXTRA=1"}, false, k_environ);
  REQUIRE(named);
  CHECK(*named == ia::client::EnvList{{"GREETING", "hi"}, {"WITH", "EQ=x"}, {"EXTRA", "1"}});
}

TEST_CASE("task input: --export-all leaves the token and this machine's paths behind") {
  auto all = ia::client::exported_env({}, true, k_environ);
  REQUIRE(all);
  CHECK(*all == ia::client::EnvList{{"GREETING", "hi"}, {"WITH", "EQ=x"}});
  // Named explicitly, a machine variable goes: the person asked for it.
  auto path = ia::client::exported_env({"PATH"}, true, k_environ);
  REQUIRE(path);
  CHECK(path->back() == std::pair<std::string, std::string>{"PATH", "/here/bin"});
}

TEST_CASE("task input: an unset or malformed name is an error naming it") {
  auto missing = ia::client::exported_env({"NOPE"}, false, k_environ);
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("--export NOPE: no such variable"));
  auto bad = ia::client::exported_env({"1X"}, false, k_environ);
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("1X"));
}
