#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "node/task_run.hpp"

using ia::node::Lease;
using ia::node::TaskRun;

namespace {

Lease python_lease(std::int64_t id, const std::string& code) {
  Lease lease;
  lease.task_id = id;
  lease.lease_id = 100 + id;
  lease.spec.code = code;
  lease.spec.interpreter = "/usr/bin/python3";
  lease.spec.timeout_s = 30;
  return lease;
}

ia::api::TaggedOutput wait_for_output(TaskRun& run) {
  ia::api::TaggedOutput output;
  for (int i = 0; i < 1000 && !run.finished(); ++i) {
    output.append(run.take_output());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  output.append(run.take_output());
  return output;
}

}  // namespace

TEST_CASE("task run: a script runs in the sandbox with its args and env, output forwarded") {
  Lease lease = python_lease(7, "import os, sys\nprint('args', sys.argv[1:])\n"
                                "print('seed', os.environ['SEED'], os.environ['IA_TASK_ID'])\n"
                                "sys.exit(3)\n");
  lease.spec.args = {"a", "b c"};
  lease.spec.env = {{"SEED", "42"}};
  auto run = TaskRun::start(lease, ia::sandbox::Spec{});
  REQUIRE(run);
  std::string output = wait_for_output(**run).text();
  CHECK_THAT(output, Catch::Contains("args ['a', 'b c']"));
  CHECK_THAT(output, Catch::Contains("seed 42 7"));
  auto outcome = (*run)->outcome();
  REQUIRE(outcome);
  CHECK(outcome->exit_code == 3);
}

TEST_CASE("task run: stderr is marked apart from stdout, a character split by reads stays whole") {
  Lease lease = python_lease(6, "import sys, time\n"
                                "print('out', flush=True)\n"
                                "time.sleep(0.2)\n"
                                "print('err', file=sys.stderr, flush=True)\n"
                                "time.sleep(0.2)\n"
                                "sys.stdout.buffer.write(b'\\xe2\\x82'); sys.stdout.flush()\n"
                                "time.sleep(0.3)\n"
                                "sys.stdout.buffer.write(b'\\xac!'); sys.stdout.flush()\n");
  auto run = TaskRun::start(lease, ia::sandbox::Spec{});
  REQUIRE(run);
  ia::api::TaggedOutput output = wait_for_output(**run);
  CHECK(output.text() == "out\nerr\n\xe2\x82\xac!");
  CHECK(output.stderr_ranges() == std::vector<ia::api::ByteRange>{{4, 8}});
}

TEST_CASE("task run: bytes that are not UTF-8 arrive replaced, never cut or lost") {
  Lease lease = python_lease(5, "import sys\n"
                                "sys.stdout.buffer.write(b'a\\xffb\\xe2')\n");
  auto run = TaskRun::start(lease, ia::sandbox::Spec{});
  REQUIRE(run);
  // The lone 0xE2 at the end is completed by nothing: it is sent replaced at exit.
  CHECK(wait_for_output(**run).text() == "a\xef\xbf\xbd" "b\xef\xbf\xbd");
}

TEST_CASE("task run: the task's timeout narrows the node's and ends the task with 124") {
  Lease lease = python_lease(8, "import time\ntime.sleep(60)\n");
  lease.spec.timeout_s = 1;
  auto run = TaskRun::start(lease, ia::sandbox::Spec{});
  REQUIRE(run);
  wait_for_output(**run);
  auto outcome = (*run)->outcome();
  REQUIRE(outcome);
  CHECK(outcome->timed_out);
  CHECK(outcome->exit_code == 124);
}

TEST_CASE("task run: kill ends a running task at once") {
  auto run = TaskRun::start(python_lease(9, "import time\nprint('up', flush=True)\ntime.sleep(60)\n"),
                            ia::sandbox::Spec{});
  REQUIRE(run);
  std::string seen;
  for (int i = 0; i < 500 && seen.find("up") == std::string::npos; ++i) {
    seen += (*run)->take_output().text();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE_THAT(seen, Catch::Contains("up"));
  REQUIRE((*run)->kill());
  wait_for_output(**run);
  REQUIRE((*run)->finished());
  CHECK((*run)->outcome()->signal == 9);
}

TEST_CASE("task run: spec_for never widens the node's limits") {
  ia::sandbox::Spec base;
  base.limits.memory = 1ull << 30;
  base.limits.timeout = ia::Millis(60'000);
  Lease lease = python_lease(1, "pass");
  lease.spec.resources.memory_mib = 4096;
  lease.spec.timeout_s = 10;
  base.workdir = "/srv/not-for-tasks";
  auto spec = ia::node::spec_for(lease, base, "task.py");
  CHECK(spec.limits.memory == 1ull << 30);
  CHECK(spec.limits.timeout == ia::Millis(10'000));
  CHECK(spec.argv == std::vector<std::string>{"/usr/bin/python3", "./task.py"});
  // The script goes into the private working directory, never a host one.
  CHECK(spec.workdir.empty());
  REQUIRE(spec.files.size() == 1);
  CHECK(spec.files[0].name == "task.py");
  CHECK(spec.files[0].content == "pass");
  CHECK(spec.files[0].executable);
  lease.spec.interpreter.clear();
  CHECK(ia::node::spec_for(lease, base, "task").argv == std::vector<std::string>{"./task"});
  // A request of 0 is no request: it keeps the node's limit, where 0 would mean none.
  lease.spec.resources.memory_mib = 0;
  lease.spec.output_limit = 0;
  base.limits.output = 1 << 20;
  spec = ia::node::spec_for(lease, base, "task");
  CHECK(spec.limits.memory == 1ull << 30);
  CHECK(spec.limits.output == 1u << 20);
}

TEST_CASE("task run: the task's env replaces a default of the same name, never IA_TASK_ID") {
  Lease lease = python_lease(12, "pass");
  lease.spec.env = {
      {"PATH", "/opt/x:/usr/bin:/bin"}, {"IA_TASK_ID", "5"}, {"SEED", "1"}, {"SEED", "2"}};
  auto spec = ia::node::spec_for(lease, ia::sandbox::Spec{}, "task.py");
  auto entries = [&](const std::string& name) {
    std::vector<std::string> found;
    for (const std::string& entry : spec.env) {
      if (entry.rfind(name + "=", 0) == 0) found.push_back(entry);
    }
    return found;
  };
  CHECK(entries("PATH") == std::vector<std::string>{"PATH=/opt/x:/usr/bin:/bin"});
  CHECK(entries("IA_TASK_ID") == std::vector<std::string>{"IA_TASK_ID=12"});
  CHECK(entries("SEED") == std::vector<std::string>{"SEED=2"});
}
