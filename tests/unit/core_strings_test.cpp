#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/result.hpp"
#include "core/strings.hpp"

TEST_CASE("strings: split keeps empty fields, split_fields drops them") {
  CHECK(ia::split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(ia::split_fields("  cpu  1 2\t3 ") == std::vector<std::string>{"cpu", "1", "2", "3"});
  CHECK(ia::trim("  x y \n") == "x y");
}

TEST_CASE("strings: closest_match suggests near words and nothing for far ones") {
  std::vector<std::string> keys{"idle_time", "max_cpu", "max_gpu"};
  CHECK(ia::closest_match("idel_time", keys) == "idle_time");
  CHECK(ia::closest_match("max_cpus", keys) == "max_cpu");
  CHECK(ia::closest_match("completely_else", keys).empty());
}

TEST_CASE("strings: escape_controls shows control characters instead of passing them on") {
  CHECK(ia::escape_controls("\x1b]0;pwned\a\x1b[31mred\nrow\tx\r") ==
        "\\x1b]0;pwned\\x07\\x1b[31mred\\nrow\\tx\\r");
  CHECK(ia::escape_controls(std::string("a\0b\x7f", 4)) == "a\\x00b\\x7f");
  CHECK(ia::escape_controls("\xc2\x9b"
                            "2J") == "\\u009b2J");
  CHECK(ia::escape_controls("plain π-run \u20ac \\ back") == "plain π-run \u20ac \\ back");
  CHECK(ia::escape_controls("\xc2") == "\xc2");
}

TEST_CASE("strings: parse_int64 is strict") {
  long long out = 0;
  CHECK(ia::parse_int64("42", out));
  CHECK(out == 42);
  CHECK(ia::parse_int64("-7", out));
  CHECK(out == -7);
  for (const char* bad : {"", "+1", "1.0", "12a", " 1", "99999999999999999999"}) {
    INFO(bad);
    CHECK_FALSE(ia::parse_int64(bad, out));
  }
}

TEST_CASE("error: system_error names the operation, the path and errno's text") {
  ia::Error error = ia::system_error("open", "/no/such", ENOENT);
  CHECK(error.message == "open /no/such: No such file or directory");
  CHECK(error.code == ia::ErrorCode::not_found);
}

namespace {
ia::Result<int> half(int n) {
  if (n % 2) return ia::make_error(ia::ErrorCode::invalid_argument, "odd", "give an even number");
  return n / 2;
}
ia::Status quarter_ok(int n) {
  IA_TRY(half(n));
  IA_TRY(half(n / 2));
  return {};
}
}  // namespace

TEST_CASE("result: carries a value or an error, and IA_TRY forwards the error") {
  CHECK(*half(8) == 4);
  CHECK_FALSE(half(3));
  CHECK(half(3).error().hint == "give an even number");
  CHECK(quarter_ok(8));
  auto failed = quarter_ok(6);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message == "odd");
  CHECK(half(3).value_or(-1) == -1);
}

TEST_CASE("proc stat fields: counted after the last parenthesis, whatever the name holds") {
  std::vector<std::string> fields =
      ia::proc_stat_fields("4242 (a) (b c)) S 1 4242 4242 0 -1 4194560 99 0 0 0 7 3 2 1");
  REQUIRE(fields.size() == 15);  // fields 3 to 17
  CHECK(fields[ia::proc_stat_index(3)] == "S");
  CHECK(fields[ia::proc_stat_index(4)] == "1");   // ppid
  CHECK(fields[ia::proc_stat_index(14)] == "7");  // utime
  CHECK(fields[ia::proc_stat_index(17)] == "1");  // cstime
  CHECK(ia::proc_stat_fields("no name here 1 2 3").empty());
  CHECK(ia::proc_stat_fields("").empty());
}

TEST_CASE("strings: find_control finds C0 and DEL, not UTF-8, and hex_byte shows a byte") {
  CHECK(ia::find_control("plain text, caf\xc3\xa9") == std::string_view::npos);
  CHECK(ia::find_control("a\tb") == 1);
  CHECK(ia::find_control(std::string("ab\0", 3)) == 2);
  CHECK(ia::find_control("x\x7f") == 1);
  CHECK(ia::hex_byte(0x1b) == "0x1b");
  CHECK(ia::hex_byte(0xff) == "0xff");
  CHECK(ia::hex_byte(0) == "0x00");
}
