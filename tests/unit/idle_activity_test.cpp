#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "idle/activity.hpp"

namespace fs = std::filesystem;
using ia::idle::ActivityWatch;
using ia::idle::EventSource;
using ia::idle::InputSource;

namespace {

struct TempRoot {
  fs::path path;
  TempRoot() {
    char pattern[] = "/tmp/ia-activity-XXXXXX";
    path = mkdtemp(pattern);
    fs::create_directories(path / "dev/input");
    fs::create_directories(path / "dev/pts");
  }
  ~TempRoot() { fs::remove_all(path); }
};

// Waits (up to a generous 10 s) until calls reaches want.
bool called(const std::atomic<int>& calls, int want) {
  for (int i = 0; i < 1000 && calls.load() < want; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return calls.load() >= want;
}

const InputSource* find(const std::vector<InputSource>& sources, const std::string& name) {
  for (const InputSource& s : sources) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

struct NoDisplay {
  std::string saved;
  bool had;
  NoDisplay() : had(getenv("DISPLAY") != nullptr) {
    if (had) saved = getenv("DISPLAY");
    unsetenv("DISPLAY");
  }
  ~NoDisplay() {
    if (had) setenv("DISPLAY", saved.c_str(), 1);
  }
};

}  // namespace

TEST_CASE("activity: an input device that becomes readable calls back, and says when") {
  NoDisplay no_display;
  TempRoot root;
  // A FIFO stands in for /dev/input/event0: the same epoll path, bytes the test writes.
  REQUIRE(mkfifo((root.path / "dev/input/event0").c_str(), 0600) == 0);
  std::atomic<int> calls{0};
  auto watch = ActivityWatch::start(root.path.string(), [&] { ++calls; });
  REQUIRE(watch);
  std::vector<InputSource> sources = watch->input_sources();  // find points into it
  const InputSource* before = find(sources, "evdev");
  REQUIRE(before);
  CHECK_FALSE(before->idle_ms.has_value());  // no input yet: not busy
  CHECK(calls.load() == 0);
  int writer = ::open((root.path / "dev/input/event0").c_str(), O_WRONLY | O_NONBLOCK);
  REQUIRE(writer >= 0);
  char event[24] = {1};
  REQUIRE(::write(writer, event, sizeof event) == sizeof event);
  CHECK(called(calls, 1));
  std::vector<InputSource> after = watch->input_sources();
  REQUIRE(find(after, "evdev"));
  REQUIRE(find(after, "evdev")->idle_ms.has_value());
  CHECK(*find(after, "evdev")->idle_ms < 10'000);
  ::close(writer);
  // x11 is not live without DISPLAY and says why.
  bool x11_said = false;
  for (const EventSource& s : watch->sources()) {
    if (s.name == "x11-events") x11_said = !s.live && s.detail == "DISPLAY is not set";
  }
  CHECK(x11_said);
}

TEST_CASE("activity: a device added after the start is watched too") {
  NoDisplay no_display;
  TempRoot root;
  std::atomic<int> calls{0};
  auto watch = ActivityWatch::start(root.path.string(), [&] { ++calls; });
  REQUIRE(watch);
  REQUIRE(mkfifo((root.path / "dev/input/event7").c_str(), 0600) == 0);
  int writer = -1;
  for (int i = 0; i < 1000 && writer < 0; ++i) {  // until the watch has opened it
    writer = ::open((root.path / "dev/input/event7").c_str(), O_WRONLY | O_NONBLOCK);
    if (writer < 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(writer >= 0);
  char event[24] = {1};
  REQUIRE(::write(writer, event, sizeof event) == sizeof event);
  CHECK(called(calls, 1));
  ::close(writer);
}

TEST_CASE("activity: a read of a terminal is the owner typing, a write is not") {
  NoDisplay no_display;
  TempRoot root;
  std::ofstream(root.path / "dev/pts/3") << "typed\n";
  std::atomic<int> calls{0};
  auto watch = ActivityWatch::start(root.path.string(), [&] { ++calls; });
  REQUIRE(watch);
  std::ofstream(root.path / "dev/pts/3", std::ios::app) << "output\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(calls.load() == 0);
  std::string line;
  std::ifstream(root.path / "dev/pts/3") >> line;
  CHECK(called(calls, 1));
  REQUIRE(find(watch->input_sources(), "terminal-events"));
  CHECK(find(watch->input_sources(), "terminal-events")->idle_ms.has_value());
}

TEST_CASE("activity: nothing to watch under a root without /dev: sources say so") {
  NoDisplay no_display;
  char pattern[] = "/tmp/ia-activity-empty-XXXXXX";
  fs::path empty = mkdtemp(pattern);
  auto watch = ActivityWatch::start(empty.string(), [] {});
  REQUIRE(watch);
  CHECK(watch->input_sources().empty());
  for (const EventSource& s : watch->sources()) {
    CHECK_FALSE(s.live);
    CHECK_FALSE(s.detail.empty());
  }
  fs::remove_all(empty);
}
