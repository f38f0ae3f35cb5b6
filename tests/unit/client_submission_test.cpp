#include <catch2/catch.hpp>

#include "client/follow.hpp"
#include "client/submission.hpp"
#include "temp_dir.hpp"

using ia::client::SubmitRequest;

namespace {

SubmitRequest hello() {
  SubmitRequest request;
  request.script = {"print(1)\n", "python3", "hello.py"};
  return request;
}

}  // namespace

TEST_CASE("submission: one task carries every request, named after the script") {
  SubmitRequest request = hello();
  request.args = {"a"};
  request.timeout_s = 90;
  request.cpus = 2;
  request.memory_mib = 1024;
  request.gpus = 1;
  request.priority = 5;
  request.retries = 0;
  request.env = {"SEED=42", "OPTS=a=b"};
  request.labels = {"gpu=a100"};
  auto specs = ia::client::expand(request, 10);
  REQUIRE(specs);
  REQUIRE(specs->size() == 1);
  const ia::api::TaskSpec& spec = specs->front();
  CHECK(spec.name == "hello.py");
  CHECK(spec.timeout_s == 90);
  CHECK(spec.resources.memory_mib == 1024);
  CHECK(spec.max_retries == 0);
  CHECK(spec.env.size() == 2);
  CHECK(spec.env[1].second == "a=b");
  CHECK(spec.labels == std::vector<std::string>{"gpu=a100"});
  auto body = ia::api::parse_submit(ia::client::submit_body(spec), ia::api::SubmitLimits{});
  REQUIRE(body);
  CHECK(body->code == "print(1)\n");
  CHECK(body->args == std::vector<std::string>{"a"});
  CHECK(body->resources.gpu == 1);
}

TEST_CASE("submission: --array sets IA_ARRAY_INDEX and names each task") {
  SubmitRequest request = hello();
  request.array = "3-5";
  auto specs = ia::client::expand(request, 10);
  REQUIRE(specs);
  REQUIRE(specs->size() == 3);
  CHECK((*specs)[2].name == "hello.py[5]");
  CHECK((*specs)[2].env.back() == std::pair<std::string, std::string>{"IA_ARRAY_INDEX", "5"});
  request.array = "1-100";
  CHECK_FALSE(ia::client::expand(request, 10));
}

TEST_CASE("submission: --each appends each line's words, combining with --array is refused") {
  ia::test::TempDir dir;
  SubmitRequest request = hello();
  request.args = {"fixed"};
  request.each_file = dir.write("lines", "1 a\n2 'b c'\n");
  auto specs = ia::client::expand(request, 10);
  REQUIRE(specs);
  REQUIRE(specs->size() == 2);
  CHECK((*specs)[1].args == std::vector<std::string>{"fixed", "2", "b c"});
  request.array = "1-2";
  auto both = ia::client::expand(request, 10);
  REQUIRE_FALSE(both);
  CHECK_THAT(both.error().message, Catch::Contains("cannot be combined"));
}

TEST_CASE("submission: a bad --env or --label is refused before anything is sent") {
  SubmitRequest request = hello();
  request.env = {"NOEQUALS"};
  CHECK_FALSE(ia::client::expand(request, 10));
  request.env = {};
  request.labels = {"=x"};
  CHECK_FALSE(ia::client::expand(request, 10));
}

TEST_CASE("follow: --wait's exit code follows the task's end") {
  auto task = [](const char* json) { return *ia::json::parse(json); };
  CHECK(ia::client::exit_code_of(task(R"({"status":"succeeded","result":{"exit_code":0}})")) == 0);
  CHECK(ia::client::exit_code_of(task(R"({"status":"failed","result":{"exit_code":7}})")) == 7);
  CHECK(ia::client::exit_code_of(task(R"({"status":"timed_out","result":{"exit_code":124}})")) ==
        124);
  CHECK(ia::client::exit_code_of(task(R"({"status":"cancelled","result":{"exit_code":137}})")) ==
        1);
  CHECK(ia::client::exit_code_of(task(R"({"status":"failed","result":{"reason":"lost"}})")) == 1);
  CHECK(ia::client::exit_code_of(task(R"({"status":"failed","result":{"exit_code":-1}})")) == 255);
}
