#include <catch2/catch.hpp>

#include "api/node.hpp"
#include "api/task.hpp"
#include "json/value.hpp"

using namespace ia;
using namespace ia::api;

namespace {

std::string message_of(const Result<TaskSpec>& spec) {
  REQUIRE_FALSE(spec);
  return spec.error().message;
}

}  // namespace

TEST_CASE("api: a full submit body maps to every spec field") {
  auto spec = parse_submit(R"J({"code":"print(1)","interpreter":"python3","args":["a","b"],
      "name":"n","timeout":60,"resources":{"cpu":2.5,"memory":1024,"gpu":1},"priority":7,
      "env":{"A":"1"},"max_retries":5,"labels":["os=linux"],"extra":"ignored"})J",
                           SubmitLimits{});
  REQUIRE(spec);
  CHECK(spec->code == "print(1)");
  CHECK(spec->args == std::vector<std::string>{"a", "b"});
  CHECK(spec->timeout_s == 60);
  CHECK(spec->resources.cpu == 2.5);
  CHECK(spec->resources.memory_mib == 1024);
  CHECK(spec->resources.gpu == 1);
  CHECK(spec->priority == 7);
  CHECK(spec->env.size() == 1);
  CHECK(spec->max_retries == 5);
  CHECK(spec->labels == std::vector<std::string>{"os=linux"});
}

TEST_CASE("api: defaults fill a minimal submit, a shebang needs no interpreter") {
  auto plain = parse_submit(R"J({"code":"print(2)"})J", SubmitLimits{});
  REQUIRE(plain);
  CHECK(plain->interpreter == "python3");
  CHECK(plain->timeout_s == 300);
  CHECK(plain->max_retries == 3);
  auto shebang = parse_submit(R"J({"code":"#!/bin/sh\necho hi"})J", SubmitLimits{});
  REQUIRE(shebang);
  CHECK(shebang->interpreter.empty());
}

TEST_CASE("api: submit errors name the bad field") {
  SubmitLimits limits;
  CHECK(message_of(parse_submit(R"J({"timeout":5})J", limits)).find("code: missing") == 0);
  CHECK(message_of(parse_submit(R"J({"code":5})J", limits)).find("code: must be a string") == 0);
  CHECK(message_of(parse_submit(R"J({"code":"x","timeout":-5})J", limits)).find("timeout:") == 0);
  CHECK(message_of(parse_submit(R"J({"code":"x","timeout":"10"})J", limits)).find("timeout:") ==
        0);
  CHECK(message_of(parse_submit(R"J({"code":"x","timeout":1e300})J", limits)).find("timeout:") ==
        0);
  CHECK(message_of(parse_submit(R"J({"code":"x","priority":99999999999})J", limits))
            .find("priority:") == 0);
  CHECK(message_of(parse_submit(R"J({"code":"x","resources":{"cpu":-1}})J", limits))
            .find("resources.cpu:") == 0);
  CHECK(message_of(parse_submit(R"J({"code":"x","resources":[]})J", limits))
            .find("resources: must be an object") == 0);
  CHECK(message_of(parse_submit(R"J({"code":"x","args":[1]})J", limits)).find("args:") == 0);
  CHECK(message_of(parse_submit(R"J({"code":"x","env":{"A":1}})J", limits)).find("env.A:") == 0);
  CHECK(message_of(parse_submit(R"J({"code":"x","max_retries":1000})J", limits))
            .find("max_retries:") == 0);
  CHECK(message_of(parse_submit(R"J({"code":""})J", limits)).find("code: must not be empty") == 0);
}

TEST_CASE("api: NUL bytes and control characters are refused where they cannot work") {
  SubmitLimits limits;
  struct Case {
    const char* body;
    const char* message;
  };
  for (const Case& bad : {
           Case{R"J({"code":"x","args":["a\u0000b"]})J", "args[0]: holds a NUL byte (at byte 1)"},
           Case{R"J({"code":"x","env":{"PATH\u0000X":"/evil"}})J",
                "env (a variable's name): holds a NUL"},
           Case{R"J({"code":"x","env":{"A":"1\u00002"}})J", "env.A: holds a NUL byte"},
           Case{R"J({"code":"x","env":{"\u0001":"v"}})J",
                "env (a variable's name): holds the control character 0x01"},
           Case{R"J({"code":"x","interpreter":"python3\u0000"})J", "interpreter: holds a NUL"},
           Case{R"J({"code":"x","name":"a\nb"})J",
                "name: holds the control character 0x0a (at byte 1)"},
           Case{R"J({"code":"x","labels":["ok","gpu\nfast"]})J",
                "labels[1]: holds the control character 0x0a"},
       }) {
    INFO(bad.body);
    auto spec = parse_submit(bad.body, limits);
    REQUIRE_FALSE(spec);
    CHECK(spec.error().code == ErrorCode::invalid_argument);
    CHECK(spec.error().message.find(bad.message) == 0);
  }
  // Where they can work they pass: newlines in argv and values, anything in the script.
  auto fine =
      parse_submit(R"J({"code":"a\u0000\n","args":["two\nlines"],"env":{"A":"x\ny"}})J", limits);
  REQUIRE(fine);
  CHECK(fine->args[0] == "two\nlines");
  CHECK(fine->code == std::string("a\0\n", 3));
  // A spec an earlier version stored with them still loads.
  limits.check_chars = false;
  auto stored = parse_submit(R"J({"code":"x","name":"a\nb","env":{"K":"\u0000"}})J", limits);
  REQUIRE(stored);
  CHECK(stored->name == "a\nb");
}

TEST_CASE("api: malformed JSON, non-objects and invalid UTF-8 are invalid requests") {
  for (const char* bad : {"", "{", "[1]", "\"x\"", "{\"code\":\"\xff\"}", "null"}) {
    INFO(bad);
    auto spec = parse_submit(bad, SubmitLimits{});
    REQUIRE_FALSE(spec);
    CHECK(spec.error().code == ErrorCode::invalid_argument);
    CHECK(spec.error().message.find("request body") == 0);
  }
}

TEST_CASE("api: code over the limit is payload too large") {
  SubmitLimits limits;
  limits.max_code = 4;
  auto spec = parse_submit(R"J({"code":"12345"})J", limits);
  REQUIRE_FALSE(spec);
  CHECK(spec.error().code == ErrorCode::payload_too_large);
}

TEST_CASE("api: stdin, kill grace and output limit travel, bounded, and round-trip") {
  SubmitLimits limits;
  auto spec = parse_submit(R"J({"code":"c","stdin":"hello\n","kill_grace":30,
      "output_limit":2097152})J", limits);
  REQUIRE(spec);
  CHECK(spec->stdin_data == "hello\n");
  CHECK(spec->kill_grace_s == 30);
  CHECK(spec->output_limit == 2097152);
  json::Writer out;
  write_spec(out, *spec);
  auto again = parse_submit(out.text(), limits);
  REQUIRE(again);
  CHECK(again->stdin_data == "hello\n");
  CHECK(again->kill_grace_s == 30);
  auto plain = parse_submit(R"J({"code":"c"})J", limits);
  REQUIRE(plain);
  CHECK(plain->output_limit == k_default_output_limit);
  CHECK(plain->kill_grace_s == k_default_kill_grace_s);
  CHECK(message_of(parse_submit(R"J({"code":"c","kill_grace":-1})J", limits))
            .find("kill_grace:") == 0);
  limits.max_code = 4;
  auto big = parse_submit(R"J({"code":"c","stdin":"12345"})J", limits);
  REQUIRE_FALSE(big);
  CHECK(big.error().code == ErrorCode::payload_too_large);
}

TEST_CASE("api: an output_limit past the server's maximum names the maximum") {
  SubmitLimits limits;
  auto spec = parse_submit(R"J({"code":"c","output_limit":1073741824})J", limits);
  CHECK(message_of(spec) == "output_limit 1G is more than this server's maximum of 64M");
  CHECK_THAT(spec.error().hint, Catch::Contains("--output-limit"));
}

TEST_CASE("api: legacy submit reads user_id and resources") {
  auto spec = parse_legacy_submit(R"J({"code":"x","user_id":"bob","timeout":9})J", SubmitLimits{});
  REQUIRE(spec);
  CHECK(spec->owner == "bob");
  CHECK(spec->timeout_s == 9);
  CHECK_FALSE(parse_legacy_submit(R"J({"user_id":"bob"})J", SubmitLimits{}));
}

TEST_CASE("api: spec written by write_spec parses back to the same spec") {
  auto spec = parse_submit(R"J({"code":"c","args":["x"],"env":{"K":"V"},"labels":["a=b"],
      "resources":{"cpu":0.5,"memory":64,"gpu":2},"priority":-3,"max_retries":0})J",
                           SubmitLimits{});
  REQUIRE(spec);
  json::Writer out;
  write_spec(out, *spec);
  auto again = parse_submit(out.text(), SubmitLimits{});
  REQUIRE(again);
  CHECK(again->args == spec->args);
  CHECK(again->env == spec->env);
  CHECK(again->labels == spec->labels);
  CHECK(again->resources.cpu == 0.5);
  CHECK(again->priority == -3);
  CHECK(again->max_retries == 0);
}

TEST_CASE("api: states have wire and legacy words") {
  CHECK(to_string(TaskState::timed_out) == "timed_out");
  CHECK(parse_task_state("cancelled") == TaskState::cancelled);
  CHECK_FALSE(parse_task_state("bogus"));
  CHECK(legacy_status(TaskState::queued) == "pending");
  CHECK(legacy_status(TaskState::leased) == "assigned");
  CHECK(legacy_status(TaskState::succeeded) == "completed");
  CHECK(legacy_status(TaskState::timed_out) == "failed");
  CHECK(legacy_status(TaskState::cancelled) == "deleted");
}

TEST_CASE("api: a finished task shows its result") {
  Task task;
  task.id = 7;
  task.state = TaskState::failed;
  task.exit_code = 3;
  task.reason = "exit 3";
  json::Writer out;
  write_task(out, task, false);
  auto parsed = json::parse(out.text());
  REQUIRE(parsed);
  CHECK(parsed->find("task_id")->as_int() == 7);
  CHECK(parsed->find("status")->as_string() == "failed");
  CHECK(parsed->find("result")->find("exit_code")->as_int() == 3);
  CHECK(parsed->find("code") == nullptr);
}
