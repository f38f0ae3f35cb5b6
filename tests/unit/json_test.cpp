#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "json/utf8.hpp"
#include "json/value.hpp"
#include "json/writer.hpp"

using ia::json::Value;

TEST_CASE("json: parses objects, arrays and every scalar kind") {
  auto parsed = ia::json::parse(R"({"a":1,"b":[true,null,2.5,"x"],"c":{"d":-3}})");
  REQUIRE(parsed);
  const Value& v = *parsed;
  CHECK(v.find("a")->as_int() == 1);
  CHECK(v.find("b")->as_array().size() == 4);
  CHECK(v.find("b")->as_array()[0].as_bool());
  CHECK(v.find("b")->as_array()[1].is_null());
  CHECK(v.find("b")->as_array()[2].as_double() == 2.5);
  CHECK(v.find("b")->as_array()[3].as_string() == "x");
  CHECK(v.find("c")->find("d")->as_int() == -3);
  CHECK(v.find("missing") == nullptr);
}

TEST_CASE("json: rejects malformed text, trailing garbage and invalid UTF-8") {
  for (const char* bad : {"", "{", "{\"a\":}", "[1,]", "{} x", "nul", "{\"a\" 1}", "\"\xff\"",
                          "\"\xc0\xaf\"", "'single'"}) {
    INFO(bad);
    auto parsed = ia::json::parse(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == ia::ErrorCode::invalid_argument);
  }
}

TEST_CASE("json: refuses documents nested past the depth limit without crashing") {
  std::string deep(100000, '[');
  CHECK_FALSE(ia::json::parse(deep + std::string(100000, ']')));
  std::string ok(200, '[');
  CHECK(ia::json::parse(ok + std::string(200, ']')));
}

TEST_CASE("json: writer escapes quotes, backslashes and control characters") {
  ia::json::Writer w;
  w.begin_object().field("s", std::string_view("q\"b\\n\n\t\x01\x1f\x7f", 10)).end_object();
  CHECK(w.text() == R"({"s":"q\"b\\n\n\t\u0001\u001f\u007f"})");
  auto back = ia::json::parse(w.text());
  REQUIRE(back);
  CHECK(back->find("s")->as_string() == std::string("q\"b\\n\n\t\x01\x1f\x7f", 10));
}

TEST_CASE("json: writer replaces invalid UTF-8 instead of passing it through") {
  std::string hostile = "ok \xff\xfe \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 end \xe2\x82";
  ia::json::Writer w;
  w.string(hostile);
  CHECK(ia::json::is_valid_utf8(w.text()));
  CHECK(ia::json::parse(w.text()));
  CHECK(w.text().find("\xef\xbf\xbd") != std::string::npos);
  // Valid multi-byte text passes unchanged.
  ia::json::Writer good;
  good.string("π ≈ 3.14 🚀");
  CHECK(good.text() == "\"π ≈ 3.14 🚀\"");
}

TEST_CASE("json: invalid_utf8_offset finds the first bad byte, npos for valid text") {
  CHECK(ia::json::invalid_utf8_offset("plain \u20ac text") == std::string_view::npos);
  CHECK(ia::json::invalid_utf8_offset("ab\xff\xfe") == 2);
  CHECK(ia::json::invalid_utf8_offset("\xc0\x80") == 0);    // overlong NUL
  CHECK(ia::json::invalid_utf8_offset("ok\xe2\x82") == 2);  // cut off
}

TEST_CASE("json: writer keeps NUL bytes as escapes") {
  ia::json::Writer w;
  w.string(std::string_view("a\0b", 3));
  CHECK(w.text() == "\"a\\u0000b\"");
}

TEST_CASE("json: integers and doubles round-trip exactly") {
  for (long long n : {0LL, -1LL, 42LL, std::numeric_limits<long long>::max(),
                      std::numeric_limits<long long>::min()}) {
    auto back = ia::json::parse(ia::json::serialize(Value(n)));
    REQUIRE(back);
    CHECK(back->as_int() == n);
  }
  for (double d : {0.1, 1.0 / 3.0, 2.0, -1e-300, 1.7976931348623157e308, 5e-324}) {
    std::string text = ia::json::serialize(Value(d));
    auto back = ia::json::parse(text);
    REQUIRE(back);
    CHECK(back->is_double());
    CHECK(back->as_double() == d);
  }
  CHECK(ia::json::serialize(Value(std::nan(""))) == "null");
}

TEST_CASE("json: writer places commas in nested containers") {
  ia::json::Writer w;
  w.begin_object().key("a").begin_array().integer(1).integer(2).begin_object().end_object()
      .end_array().field("b", true).key("c").null().end_object();
  CHECK(w.text() == R"({"a":[1,2,{}],"b":true,"c":null})");
}

TEST_CASE("json: values serialize and parse back equal") {
  Value v = Value::object();
  v.set("name", "t\u00e9st");
  v.set("n", 7);
  Value list = Value::array();
  list.push(1.5);
  list.push(nullptr);
  v.set("list", list);
  auto back = ia::json::parse(ia::json::serialize(v));
  REQUIRE(back);
  CHECK(*back == v);
}

TEST_CASE("json: string_at gives a member's text, or empty for missing and non-string members") {
  auto v = ia::json::parse(R"({"s":"x","n":1,"o":{}})");
  REQUIRE(v);
  CHECK(v->string_at("s") == "x");
  CHECK(v->string_at("n").empty());
  CHECK(v->string_at("o").empty());
  CHECK(v->string_at("missing").empty());
  CHECK(Value(3).string_at("s").empty());
}

TEST_CASE("json: escaped_prefix_length counts what the writer writes, whole characters only") {
  using ia::json::escaped_prefix_length;
  CHECK(escaped_prefix_length("abc", 10) == 3);
  CHECK(escaped_prefix_length("a\"b", 2) == 1);           // \" takes two
  CHECK(escaped_prefix_length("\x01\x01", 11) == 1);      // \u0001 takes six
  CHECK(escaped_prefix_length("\xe2\x82\xac!", 2) == 0);  // the euro sign takes three
  CHECK(escaped_prefix_length("\xe2\x82\xac!", 4) == 4);
  CHECK(escaped_prefix_length("\xff", 3) == 1);  // written as U+FFFD, three bytes
  std::string text = "line\n\t\"quoted\" \x7f \xc3\xa9";
  ia::json::Writer out;
  out.string(text);
  CHECK(escaped_prefix_length(text, out.text().size() - 2) == text.size());
  CHECK(escaped_prefix_length(text, out.text().size() - 3) < text.size());
}

TEST_CASE("json: numbers past what can be held are named as out of range, not malformed") {
  for (const char* text : {R"({"timeout":1e400})", R"({"timeout":-9223372036854775809})",
                           R"([123456789012345678901234567890])"}) {
    INFO(text);
    auto parsed = ia::json::parse(text);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().message.find("a number is out of range") == 0);
  }
  auto truncated = ia::json::parse("{\"a\":1");
  REQUIRE_FALSE(truncated);
  CHECK(truncated.error().message.find("malformed JSON") == 0);
}
