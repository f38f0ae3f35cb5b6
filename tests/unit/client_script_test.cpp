#include <catch2/catch.hpp>

#include "client/batch.hpp"
#include "client/script.hpp"
#include "temp_dir.hpp"

using ia::client::choose_interpreter;
using ia::test::TempDir;

TEST_CASE("script: the shebang names the interpreter, env's argument included") {
  CHECK(*ia::client::shebang_interpreter("#!/usr/bin/env python3\nprint(1)") == "python3");
  CHECK(*ia::client::shebang_interpreter("#!/usr/bin/env -S python3 -u\n") == "python3");
  CHECK(*ia::client::shebang_interpreter("#! /bin/sh -e\necho") == "/bin/sh");
  CHECK(*ia::client::shebang_interpreter("#!/bin/bash") == "/bin/bash");
  CHECK(*ia::client::shebang_interpreter("#!/usr/bin/env VAR=1 python3\n") == "python3");
  CHECK_FALSE(ia::client::shebang_interpreter("print(1)\n#!/bin/sh"));
  CHECK_FALSE(ia::client::shebang_interpreter("#!\n"));
}

TEST_CASE("script: the extension picks the interpreter when there is no shebang") {
  CHECK(*ia::client::interpreter_for_extension("job.py") == "python3");
  CHECK(*ia::client::interpreter_for_extension("/x/y/run.sh") == "sh");
  CHECK(*ia::client::interpreter_for_extension("a.js") == "node");
  CHECK_FALSE(ia::client::interpreter_for_extension("Makefile"));
  CHECK_FALSE(ia::client::interpreter_for_extension(".py"));
  CHECK_FALSE(ia::client::interpreter_for_extension("dir.py/file"));
}

TEST_CASE("script: --interpreter beats the shebang, which beats the extension") {
  CHECK(*choose_interpreter("a.py", "#!/bin/sh\n", "pypy3") == "pypy3");
  CHECK(*choose_interpreter("a.py", "#!/bin/sh\n", "") == "");
  CHECK(*choose_interpreter("a.py", "#!\nprint(1)", "") == "python3");
  CHECK(*choose_interpreter("a.py", "print(1)", "") == "python3");
  auto none = choose_interpreter("-", "print(1)", "");
  REQUIRE_FALSE(none);
  CHECK_THAT(none.error().message, Catch::Contains("stdin"));
  CHECK_THAT(none.error().hint, Catch::Contains("--interpreter"));
}

TEST_CASE("script: a shebang script goes without an interpreter, so its arguments count") {
  // The node then runs ./task and the kernel reads "#!/bin/sh -e" whole, as it does here.
  for (const char* code : {"#!/bin/sh -e\nfalse\necho SHOULD-NOT-PRINT\n",
                           "#!/usr/bin/env VAR=1 python3\nprint(1)\n"}) {
    INFO(code);
    CHECK(*choose_interpreter("job.sh", code, "") == "");
  }
  TempDir dir;
  auto script = ia::client::load_script(dir.write("strict", "#!/bin/sh -e\nfalse\n"), "", 1024);
  REQUIRE(script);
  CHECK(script->interpreter.empty());
}

TEST_CASE("script: load_script refuses empty, missing and oversized files") {
  TempDir dir;
  std::string good = dir.write("hello.py", "print('hi')\n");
  auto script = ia::client::load_script(good, "", 1024);
  REQUIRE(script);
  CHECK(script->interpreter == "python3");
  CHECK(script->name == "hello.py");
  CHECK(script->code == "print('hi')\n");
  CHECK_FALSE(ia::client::load_script(dir.write("empty.py", ""), "", 1024));
  CHECK_FALSE(ia::client::load_script(dir.str() + "/missing.py", "", 1024));
  auto big = ia::client::load_script(dir.write("big.py", std::string(2000, '#')), "", 1024);
  REQUIRE_FALSE(big);
  CHECK(big.error().code == ia::ErrorCode::payload_too_large);
}

TEST_CASE("script: load_script reads an endless file no further than its limit") {
  auto endless = ia::client::load_script("/dev/zero", "sh", 1 << 20);
  REQUIRE_FALSE(endless);
  CHECK(endless.error().code == ia::ErrorCode::payload_too_large);
  CHECK_THAT(endless.error().message, Catch::Contains("/dev/zero") && Catch::Contains("1M"));
}

TEST_CASE("script: a script that is not UTF-8 is refused with the byte, offset and line") {
  TempDir dir;
  auto bad = ia::client::load_script(dir.write("u.py", "# ok\nprint(\"\xff\xfe x\")\n"), "", 1024);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ia::ErrorCode::invalid_argument);
  CHECK_THAT(bad.error().message,
             Catch::EndsWith("u.py is not valid UTF-8: byte 0xff at offset 12 (line 2)"));
  CHECK_THAT(bad.error().hint, Catch::Contains("iconv"));
  CHECK(ia::client::load_script(dir.write("euro.py", "print('\u20ac')\n"), "", 1024));
}

TEST_CASE("batch: --array ranges with steps, single values and limits") {
  CHECK(*ia::client::parse_array("1-5", 100) == std::vector<std::int64_t>{1, 2, 3, 4, 5});
  CHECK(*ia::client::parse_array("0-20:10", 100) == std::vector<std::int64_t>{0, 10, 20});
  CHECK(*ia::client::parse_array("7", 100) == std::vector<std::int64_t>{7});
  for (const char* bad : {"", "a-b", "5-1", "-3", "1-", "1-5:0", "1-5:-1", "1-5:x", "1--5"}) {
    INFO(bad);
    CHECK_FALSE(ia::client::parse_array(bad, 100));
  }
  auto huge = ia::client::parse_array("1-1000000000000", 10000);
  REQUIRE_FALSE(huge);
  CHECK_THAT(huge.error().message, Catch::Contains("limit of 10000"));
}

TEST_CASE("batch: --array ends at INT64_MAX without overflowing") {
  constexpr std::int64_t max = INT64_MAX;
  CHECK(*ia::client::parse_array("9223372036854775807", 100) == std::vector<std::int64_t>{max});
  CHECK(*ia::client::parse_array("9223372036854775806-9223372036854775807", 100) ==
        std::vector<std::int64_t>{max - 1, max});
  CHECK(*ia::client::parse_array("0-9223372036854775807:9223372036854775807", 100) ==
        std::vector<std::int64_t>{0, max});
  auto all = ia::client::parse_array("0-9223372036854775807", 100000);
  REQUIRE_FALSE(all);
  CHECK_THAT(all.error().message, Catch::Contains("9223372036854775808 tasks"));
  CHECK_THAT(all.error().hint, Catch::Contains("split"));
}

TEST_CASE("batch: KEY=VALUE assignments keep '=' in values and check names") {
  auto env = ia::client::parse_assignment("OPTS=a=b", true);
  REQUIRE(env);
  CHECK(env->first == "OPTS");
  CHECK(env->second == "a=b");
  CHECK(ia::client::parse_assignment("EMPTY=", true)->second.empty());
  CHECK_FALSE(ia::client::parse_assignment("=x", true));
  CHECK_FALSE(ia::client::parse_assignment("novalue", true));
  CHECK_FALSE(ia::client::parse_assignment("1BAD=x", true));
  CHECK_FALSE(ia::client::parse_assignment("A-B=x", true));
  CHECK(ia::client::parse_assignment("gpu.model=a100", false));
}

TEST_CASE("batch: a bad --label is told the --label way to write it, not --env's") {
  auto label = ia::client::parse_assignment("gpu", false);
  REQUIRE_FALSE(label);
  CHECK_THAT(label.error().hint, Catch::Contains("--label gpu=a100"));
  auto env = ia::client::parse_assignment("SEED", true);
  REQUIRE_FALSE(env);
  CHECK_THAT(env.error().hint, Catch::Contains("--env SEED=42"));
}

TEST_CASE("batch: --each lines split like a shell, quotes and escapes included") {
  using V = std::vector<std::string>;
  CHECK(*ia::client::split_arguments("a b  c") == V{"a", "b", "c"});
  CHECK(*ia::client::split_arguments("'two words' \"x \\\" y\" z\\ w") ==
        V{"two words", "x \" y", "z w"});
  CHECK(*ia::client::split_arguments("'' x") == V{"", "x"});
  CHECK_FALSE(ia::client::split_arguments("'open"));
  TempDir dir;
  std::string file = dir.write("list.txt", "# inputs\n1 a\n\n2 'b c'\n");
  auto lists = ia::client::read_each_file(file);
  REQUIRE(lists);
  CHECK(*lists == std::vector<V>{{"1", "a"}, {"2", "b c"}});
  auto broken = ia::client::read_each_file(dir.write("bad.txt", "ok\n\"oops\n"));
  REQUIRE_FALSE(broken);
  CHECK_THAT(broken.error().message, Catch::Contains("bad.txt:2:"));
  CHECK_FALSE(ia::client::read_each_file(dir.write("blank.txt", "\n# only\n")));
}

TEST_CASE("batch: --each of an endless file stops at a limit and names the file") {
  auto endless = ia::client::read_each_file("/dev/zero");
  REQUIRE_FALSE(endless);
  CHECK_THAT(endless.error().message, Catch::Contains("/dev/zero is larger than"));
}
