#include <catch2/catch.hpp>

#include "api/fields.hpp"
#include "api/output.hpp"
#include "json/utf8.hpp"
#include "json/writer.hpp"

using ia::api::ByteRange;
using ia::api::json_prefix_size;
using ia::api::json_size;
using ia::api::TaggedOutput;

namespace {

using Ranges = std::vector<ByteRange>;

TaggedOutput mixed() {  // "out1" "ERR" "out2" "E"
  TaggedOutput output;
  output.append("out1", false);
  output.append("ERR", true);
  output.append("out2", false);
  output.append("E", true);
  return output;
}

ia::Result<TaggedOutput> parse(std::string_view body) {
  auto object = ia::api::parse_object(body);
  if (!object) return object.error();
  return ia::api::parse_output(*object, "data", true, 1024);
}

}  // namespace

TEST_CASE("tagged output: appends mark stderr runs and merge adjacent ones") {
  TaggedOutput output = mixed();
  output.append("RR", true);
  CHECK(output.text() == "out1ERRout2ERR");
  CHECK(output.stderr_ranges() == Ranges{{4, 7}, {11, 14}});
}

TEST_CASE("tagged output: slices, drops and truncation keep the marks on their bytes") {
  TaggedOutput output = mixed();
  TaggedOutput middle = output.slice(5, 12);
  CHECK(middle.text() == "RRout2E");
  CHECK(middle.stderr_ranges() == Ranges{{0, 2}, {6, 7}});
  output.drop_front(7);
  CHECK(output.text() == "out2E");
  CHECK(output.stderr_ranges() == Ranges{{4, 5}});
  output.truncate(2);
  CHECK(output.text() == "ou");
  CHECK(output.stderr_ranges().empty());
}

TEST_CASE("tagged output: truncation never cuts a character in two") {
  TaggedOutput output("a\xe2\x82\xac");  // "a€"
  output.truncate(3);
  CHECK(output.text() == "a");
}

TEST_CASE("tagged output: runs come back in order with their stream") {
  std::string seen;
  mixed().for_each_run([&](std::string_view run, bool from_stderr) {
    seen += (from_stderr ? "[E:" : "[O:") + std::string(run) + "]";
  });
  CHECK(seen == "[O:out1][E:ERR][O:out2][E:E]");
}

TEST_CASE("tagged output: invalid UTF-8 is replaced on the way in, so offsets match the wire") {
  TaggedOutput output;
  output.append("a\xff", true);
  CHECK(output.text() == "a\xef\xbf\xbd");
  CHECK(output.stderr_ranges() == Ranges{{0, 4}});
}

TEST_CASE("tagged output: the wire form round-trips") {
  ia::json::Writer out;
  out.begin_object();
  ia::api::write_output(out, "data", mixed());
  out.end_object();
  CHECK(out.text() == R"({"data":"out1ERRout2E","stderr_ranges":[[4,7],[11,12]]})");
  auto back = parse(out.text());
  REQUIRE(back);
  CHECK(*back == mixed());
}

TEST_CASE("tagged output: without stderr_ranges everything is stdout (older nodes)") {
  auto output = parse(R"({"data":"hello"})");
  REQUIRE(output);
  CHECK(output->text() == "hello");
  CHECK(output->stderr_ranges().empty());
}

TEST_CASE("tagged output: bad ranges are refused with the field named") {
  for (std::string_view body : {
           R"({"data":"abc","stderr_ranges":{}})",
           R"({"data":"abc","stderr_ranges":[1,2]})",
           R"({"data":"abc","stderr_ranges":[[0]]})",
           R"({"data":"abc","stderr_ranges":[[0,"2"]]})",
           R"({"data":"abc","stderr_ranges":[[0,4]]})",
           R"({"data":"abc","stderr_ranges":[[2,1]]})",
           R"({"data":"abc","stderr_ranges":[[1,1]]})",
           R"({"data":"abc","stderr_ranges":[[-1,1]]})",
           R"({"data":"abc","stderr_ranges":[[1,3],[0,1]]})",
           R"({"data":"abc","stderr_ranges":[[0,2],[1,3]]})",
       }) {
    INFO(body);
    auto output = parse(body);
    REQUIRE_FALSE(output);
    CHECK_THAT(output.error().message, Catch::StartsWith("stderr_ranges: "));
  }
}

TEST_CASE("utf8: a sequence cut off at the end is held back, anything else passes") {
  using ia::json::complete_utf8_prefix;
  CHECK(complete_utf8_prefix("abc") == 3);
  CHECK(complete_utf8_prefix("ab\xe2") == 2);
  CHECK(complete_utf8_prefix("ab\xe2\x82") == 2);
  CHECK(complete_utf8_prefix("ab\xe2\x82\xac") == 5);
  CHECK(complete_utf8_prefix("ab\xf0\x9f\x98") == 2);
  CHECK(complete_utf8_prefix("ab\xff") == 3);        // never valid: pass it on (replaced)
  CHECK(complete_utf8_prefix("\x80\x80\x80\x80") == 4);
  CHECK(complete_utf8_prefix("") == 0);
}

TEST_CASE("utf8: to_valid_utf8 replaces only what is invalid") {
  CHECK(ia::json::to_valid_utf8("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(ia::json::to_valid_utf8("a\xc3") == "a\xef\xbf\xbd");
  CHECK(ia::json::to_valid_utf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("tagged output: a front part is cut to fit a JSON budget, escapes and marks counted") {
  // Each control byte is written as \u0001: six bytes of JSON.
  TaggedOutput control(std::string(1000, '\x01'));
  std::size_t part = json_prefix_size(control, 600);
  CHECK(part < 100);
  CHECK(json_size(control.slice(0, part)) <= 600);
  CHECK(json_size(control.slice(0, part + 20)) > 600);
  // A character is never cut, and at least one goes even when the budget is tiny.
  TaggedOutput euros("\xe2\x82\xac\xe2\x82\xac");
  CHECK(json_prefix_size(euros, 1) == 3);
  // Stderr marks alternating with every byte take room too.
  TaggedOutput mixed;
  for (int i = 0; i < 500; ++i) mixed.append("a", i % 2 == 1);
  std::size_t mixed_part = json_prefix_size(mixed, 400);
  CHECK(mixed_part > 0);
  CHECK(json_size(mixed.slice(0, mixed_part)) <= 400);
  // What fits goes whole.
  TaggedOutput small("hello");
  CHECK(json_prefix_size(small, 1 << 20) == 5);
}
