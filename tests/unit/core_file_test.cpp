#include <catch2/catch.hpp>

#include "core/file.hpp"
#include "temp_dir.hpp"

using ia::test::TempDir;

TEST_CASE("file: a bounded read_file takes a file up to its limit and refuses one byte more") {
  TempDir dir;
  auto exact = ia::read_file(dir.write("exact", std::string(1024, 'x')), 1024);
  REQUIRE(exact);
  CHECK(exact->size() == 1024);
  auto over = ia::read_file(dir.write("over", std::string(1025, 'x')), 1024);
  REQUIRE_FALSE(over);
  CHECK(over.error().code == ia::ErrorCode::payload_too_large);
  CHECK_THAT(over.error().message, Catch::Contains("over") && Catch::Contains("1K"));
}

TEST_CASE("file: a bounded read_file of an endless file stops at the limit") {
  auto endless = ia::read_file("/dev/zero", 1 << 20);
  REQUIRE_FALSE(endless);
  CHECK(endless.error().message == "/dev/zero is larger than the limit of 1M");
}

TEST_CASE("file: read_file of a directory fails and names it") {
  TempDir dir;
  auto read = ia::read_file(dir.str(), 1024);
  REQUIRE_FALSE(read);
  CHECK_THAT(read.error().message, Catch::Contains(dir.str()) && Catch::Contains("directory"));
}
