#include <catch2/catch.hpp>

#include "core/units.hpp"

using ia::Millis;

TEST_CASE("units: parses byte sizes with binary suffixes") {
  CHECK(*ia::parse_bytes("4096") == 4096);
  CHECK(*ia::parse_bytes("512K") == 512ull * 1024);
  CHECK(*ia::parse_bytes("512M") == 512ull << 20);
  CHECK(*ia::parse_bytes("2G") == 2ull << 30);
  CHECK(*ia::parse_bytes("2GiB") == 2ull << 30);
  CHECK(*ia::parse_bytes("1.5G") == 3ull << 29);
  CHECK(*ia::parse_bytes("1T") == 1ull << 40);
  CHECK(*ia::parse_bytes("0") == 0);
}

TEST_CASE("units: rejects '12Q' and names the bad suffix") {
  auto result = ia::parse_bytes("12Q");
  REQUIRE_FALSE(result);
  CHECK(result.error().code == ia::ErrorCode::invalid_argument);
  CHECK_THAT(result.error().message, Catch::Contains("unknown suffix 'Q'"));
  CHECK_FALSE(result.error().hint.empty());
}

TEST_CASE("units: rejects signs, spaces, empty and overflowing sizes") {
  for (const char* bad : {"", "-1", "+1", " 5M", "5M ", "M", "1e9", "5.5.5M", "99999999T", ".", "0x10"}) {
    INFO(bad);
    CHECK_FALSE(ia::parse_bytes(bad));
  }
}

TEST_CASE("units: parses durations, bare numbers as seconds, compound forms") {
  CHECK(*ia::parse_duration("90s") == Millis(90000));
  CHECK(*ia::parse_duration("10m") == Millis(600000));
  CHECK(*ia::parse_duration("250ms") == Millis(250));
  CHECK(*ia::parse_duration("2h") == Millis(7200000));
  CHECK(*ia::parse_duration("1d") == Millis(86400000));
  CHECK(*ia::parse_duration("1h30m") == Millis(5400000));
  CHECK(*ia::parse_duration("5") == Millis(5000));
  CHECK(*ia::parse_duration("1.5s") == Millis(1500));
  CHECK(*ia::parse_duration("0") == Millis(0));
}

TEST_CASE("units: rejects unknown units, signs and garbage in durations") {
  for (const char* bad : {"", "-5s", "5x", "s", "5 s", "1h30", "10mm", "9999999999999w", "5s!"}) {
    INFO(bad);
    auto result = ia::parse_duration(bad);
    CHECK_FALSE(result);
  }
  CHECK_THAT(ia::parse_duration("5x").error().message, Catch::Contains("unknown unit 'x'"));
}

TEST_CASE("units: formats sizes and durations in short forms that parse back") {
  CHECK(ia::format_bytes(100) == "100B");
  CHECK(ia::format_bytes(512ull << 20) == "512M");
  CHECK(ia::format_bytes(3ull << 29) == "1.5G");
  CHECK(ia::format_duration(Millis(5400000)) == "1h30m");
  CHECK(ia::format_duration(Millis(250)) == "250ms");
  CHECK(ia::format_duration(Millis(0)) == "0s");
  CHECK(ia::format_duration(Millis(1500)) == "1.5s");
  for (std::uint64_t bytes : {1ull << 20, 3ull << 29, 7ull << 40}) {
    CHECK(*ia::parse_bytes(ia::format_bytes(bytes)) == bytes);
  }
  for (long long ms : {250LL, 1500LL, 90000LL, 5400000LL, 90061000LL}) {
    CHECK(*ia::parse_duration(ia::format_duration(Millis(ms))) == Millis(ms));
  }
}
