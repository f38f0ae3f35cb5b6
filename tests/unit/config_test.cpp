#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "config/config.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using ia::config::Config;
using ia::test::TempDir;

namespace {


std::function<const char*(const char*)> env_of(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

}  // namespace

TEST_CASE("config: defaults come from the schema with origin 'default'") {
  Config config;
  CHECK(config.duration("idle.idle_time") == ia::Millis(300000));
  CHECK(config.number("idle.max_cpu") == 20.0);
  CHECK(config.origin("idle.max_cpu") == "default");
  CHECK(config.list("idle.busy_if_running").empty());
  CHECK(config.string("client.server") == "http://127.0.0.1:8000");
}

TEST_CASE("config: TOML values are typed and record file and line") {
  Config config;
  auto status = config.merge_toml(
      "[idle]\nidle_time = \"10m\"\nmax_cpu = 35\nbusy_if_running = [\"steam\", \"obs\"]\n"
      "require_ac = true\nmax_gpu_memory = \"1G\"\n",
      "/etc/ia/ia.toml");
  REQUIRE(status);
  CHECK(config.duration("idle.idle_time") == ia::Millis(600000));
  CHECK(config.number("idle.max_cpu") == 35.0);
  CHECK(config.list("idle.busy_if_running") == std::vector<std::string>{"steam", "obs"});
  CHECK(config.boolean("idle.require_ac"));
  CHECK(config.bytes("idle.max_gpu_memory") == (1ull << 30));
  CHECK(config.origin("idle.max_cpu") == "/etc/ia/ia.toml:3");
}

TEST_CASE("config: an unknown key names file, line, key and the near miss") {
  Config config;
  auto status = config.merge_toml("[idle]\nmax_cpu = 5\nidel_time = \"5m\"\n", "ia.toml");
  REQUIRE_FALSE(status);
  CHECK(status.error().message == "ia.toml:3: unknown key 'idel_time' in [idle] (did you mean 'idle_time'?)");
}

TEST_CASE("config: an unknown section is an error with a suggestion") {
  Config config;
  auto status = config.merge_toml("[idel]\nmax_cpu = 5\n", "ia.toml");
  REQUIRE_FALSE(status);
  CHECK_THAT(status.error().message, Catch::Contains("unknown section [idel]"));
  CHECK_THAT(status.error().message, Catch::Contains("did you mean 'idle'"));
}

TEST_CASE("config: a known section written as an array of tables or a value says so") {
  Config config;
  auto array = config.merge_toml("[[client]]\nserver = \"http://x\"\n", "ia.toml");
  REQUIRE_FALSE(array);
  CHECK(array.error().message ==
        "ia.toml:1: [[client]] is an array of tables, but [client] must be one table");
  CHECK_THAT(array.error().hint, Catch::Contains("write [client] once"));
  auto value = config.merge_toml("idle = 5\n", "ia.toml");
  REQUIRE_FALSE(value);
  CHECK_THAT(value.error().message,
             Catch::Contains("'idle' is a value, but [idle] must be one table"));
}

TEST_CASE("config: wrong types and out-of-range values name the key and line") {
  Config config;
  auto wrong = config.merge_toml("[idle]\nmax_cpu = \"lots\"\n", "a.toml");
  REQUIRE_FALSE(wrong);
  CHECK_THAT(wrong.error().message, Catch::StartsWith("a.toml:2: [idle] max_cpu must be"));
  auto range = config.merge_toml("[idle]\n\nmax_cpu = 150\n", "b.toml");
  REQUIRE_FALSE(range);
  CHECK_THAT(range.error().message, Catch::StartsWith("b.toml:3: [idle] max_cpu is out of range"));
  auto list = config.merge_toml("[idle]\nbusy_if_running = [1, 2]\n", "c.toml");
  REQUIRE_FALSE(list);
  auto duration = config.merge_toml("[idle]\nidle_time = \"soon\"\n", "d.toml");
  REQUIRE_FALSE(duration);
  CHECK_THAT(duration.error().message, Catch::Contains("idle_time"));
}

TEST_CASE("config: range errors show values and bounds in the key's units") {
  Config config;
  auto memory = config.merge_toml("[sandbox]\nmemory = -1\n", "m.toml");
  REQUIRE_FALSE(memory);
  CHECK(memory.error().message == "m.toml:2: [sandbox] memory is out of range (-1)");
  CHECK(memory.error().hint == "use a value of at least 0B");
  auto window = config.set_text("idle.cpu_window", "11s", "--cpu-window");
  REQUIRE_FALSE(window);
  CHECK(window.error().message == "--cpu-window: [idle] cpu_window is out of range (11s)");
  CHECK(window.error().hint == "use a value from 0s to 10s");
}

TEST_CASE("config: nan and inf are refused wherever a number is read") {
  Config config;
  for (const char* text : {"max_cpu = nan", "max_cpu = -nan", "max_cpu = inf"}) {
    auto status = config.merge_toml(std::string("[idle]\n") + text + "\n", "n.toml");
    REQUIRE_FALSE(status);
    CHECK_THAT(status.error().message,
               Catch::StartsWith("n.toml:2: [idle] max_cpu must be a finite number"));
  }
  for (const char* text : {"nan", "NAN", "inf", "-infinity"}) {
    auto status = config.set_text("sandbox.cpus", text, "--cpus");
    REQUIRE_FALSE(status);
    CHECK_THAT(status.error().message, Catch::Contains("[sandbox] cpus must be a finite number"));
  }
  CHECK(config.number("sandbox.cpus") == 0.0);  // unchanged
}

TEST_CASE("config: TOML syntax errors name the line") {
  Config config;
  auto status = config.merge_toml("[idle]\nmax_cpu = = 5\n", "bad.toml");
  REQUIRE_FALSE(status);
  CHECK_THAT(status.error().message, Catch::StartsWith("bad.toml:2:"));
}

TEST_CASE("config: layers apply in order /etc, XDG, IA_CONFIG, env, and later wins") {
  TempDir dir;
  std::string xdg_file = dir.write("xdg/ia/ia.toml", "[idle]\nmax_cpu = 30\nmax_gpu = 40\n");
  std::string explicit_file = dir.write("explicit.toml", "[idle]\nmax_gpu = 50\nmax_memory = 60\n");
  ia::config::LoadOptions options;
  options.getenv = env_of({{"XDG_CONFIG_HOME", (dir.path / "xdg").string()},
                           {"IA_CONFIG", explicit_file},
                           {"IA_IDLE_MAX_MEMORY", "70"}});
  auto loaded = ia::config::load(options);
  REQUIRE(loaded);
  CHECK(loaded->number("idle.max_cpu") == 30.0);
  CHECK(loaded->origin("idle.max_cpu") == xdg_file + ":2");
  CHECK(loaded->number("idle.max_gpu") == 50.0);
  CHECK(loaded->origin("idle.max_gpu") == explicit_file + ":2");
  CHECK(loaded->number("idle.max_memory") == 70.0);
  CHECK(loaded->origin("idle.max_memory") == "IA_IDLE_MAX_MEMORY");
  REQUIRE(loaded->set_text("idle.max_memory", "80", "--max-memory"));
  CHECK(loaded->origin("idle.max_memory") == "--max-memory");
}

TEST_CASE("config: a missing explicit file is an error, a missing layered file is not") {
  TempDir dir;
  ia::config::LoadOptions options;
  options.getenv = env_of({{"HOME", dir.path.string()}});
  CHECK(ia::config::load(options));
  options.explicit_file = (dir.path / "nope.toml").string();
  auto loaded = ia::config::load(options);
  REQUIRE_FALSE(loaded);
  CHECK_THAT(loaded.error().message, Catch::Contains("nope.toml"));
}

TEST_CASE("config: an explicit file that is a directory or endless is refused by name") {
  TempDir dir;
  ia::config::LoadOptions options;
  options.read_system_files = false;
  for (const std::string& path : {dir.str(), std::string("/dev/zero")}) {
    INFO(path);
    options.explicit_file = path;
    auto loaded = ia::config::load(options);
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().code == ia::ErrorCode::invalid_argument);
    CHECK_THAT(loaded.error().message, Catch::Contains(path));
  }
}

TEST_CASE("config: a bad environment value names the variable") {
  ia::config::LoadOptions options;
  options.read_system_files = false;
  options.getenv = env_of({{"IA_IDLE_MAX_CPU", "lots"}});
  auto loaded = ia::config::load(options);
  REQUIRE_FALSE(loaded);
  CHECK_THAT(loaded.error().message, Catch::StartsWith("IA_IDLE_MAX_CPU: [idle] max_cpu must be"));
}

TEST_CASE("config: settings display durations and sizes in short form") {
  Config config;
  REQUIRE(config.set_text("idle.idle_time", "90s", "--idle-time"));
  for (const auto* setting : config.settings()) {
    if (setting->def->key == "idle_time") CHECK(ia::config::display(*setting) == "1m30s");
    if (setting->def->key == "max_gpu_memory") CHECK(ia::config::display(*setting) == "256M");
  }
}
