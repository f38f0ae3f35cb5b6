#include <sys/stat.h>
#include <unistd.h>

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

namespace {

std::string contents(const std::string& path) {
  auto text = ia::read_file(path);
  return text ? *text : "<unreadable>";
}

unsigned mode_of(const std::string& path) {
  struct stat info{};
  if (lstat(path.c_str(), &info) != 0) return 0;
  return info.st_mode & 07777;
}

}  // namespace

TEST_CASE("file: write_file_durably replaces a link or file planted at its temporary name") {
  TempDir dir;
  std::string victim = dir.write("victim", "untouched");
  std::string path = dir.str() + "/token";
  std::string temporary = path + ".tmp." + std::to_string(getpid());
  REQUIRE(symlink(victim.c_str(), temporary.c_str()) == 0);
  REQUIRE(symlink(victim.c_str(), path.c_str()) == 0);
  REQUIRE(ia::write_file_durably(path, "secret", 0600));
  CHECK(contents(victim) == "untouched");
  CHECK(contents(path) == "secret");
  CHECK(mode_of(path) == 0600);  // the file itself, not a link to the victim's 0644
}

TEST_CASE("file: create_new_file never opens what is there, and refuses or removes a planted entry") {
  TempDir dir;
  std::string victim = dir.write("victim", "untouched");
  std::string link = dir.str() + "/link";
  REQUIRE(symlink(victim.c_str(), link.c_str()) == 0);
  auto refused = ia::create_new_file(link, 0600, false);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains(link));
  auto replaced = ia::create_new_file(link, 0600, true);
  REQUIRE(replaced);
  close(*replaced);
  CHECK(contents(victim) == "untouched");
  CHECK(mode_of(link) == 0600);
  CHECK(ia::create_new_file(dir.str(), 0600, true).error().code == ia::ErrorCode::io);
}

TEST_CASE("file: restrict_mode takes bits away from a regular file, leaves links alone") {
  TempDir dir;
  std::string store = dir.write("store", "x");
  REQUIRE(chmod(store.c_str(), 0644) == 0);
  REQUIRE(ia::restrict_mode(store, 0600));
  CHECK(mode_of(store) == 0600);
  std::string victim = dir.write("victim", "x");
  REQUIRE(chmod(victim.c_str(), 0644) == 0);
  std::string link = dir.str() + "/link";
  REQUIRE(symlink(victim.c_str(), link.c_str()) == 0);
  REQUIRE(ia::restrict_mode(link, 0600));
  CHECK(mode_of(victim) == 0644);
  CHECK(ia::restrict_mode(dir.str() + "/missing", 0600));
}
