// packaging/ia.toml, the commented example installed as /etc/ia/ia.toml: it must stay a
// faithful copy of the schema, every key once with its default, or it misleads admins.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <vector>
#include <regex>
#include <sstream>
#include <string>

#include "config/config.hpp"

using ia::config::Config;

namespace {

const std::string k_example = IA_TEST_FIXTURES "/../../packaging/ia.toml";

std::string read_example() {
  std::ifstream in(k_example);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "#key = value" lines become "key = value"; the prose comments ("# text") stay.
std::string uncomment_keys(const std::string& text) {
  static const std::regex k_commented_key(R"(^#([a-z_]+ = .*)$)", std::regex::multiline);
  return std::regex_replace(text, k_commented_key, "$1");
}

// "section.key" -> how many times the uncommented example sets it.
std::map<std::string, int> keys_set(const std::string& text) {
  static const std::regex k_line(R"(^(\[([a-z]+)\]|([a-z_]+) = ))");
  std::map<std::string, int> seen;
  std::istringstream lines(text);
  std::string line, section;
  std::smatch match;
  while (std::getline(lines, line)) {
    if (!std::regex_search(line, match, k_line)) continue;
    if (match[2].matched) section = match[2];
    else ++seen[section + "." + match[3].str()];
  }
  return seen;
}

}  // namespace

TEST_CASE("config example: as shipped, all commented, it loads and changes nothing") {
  Config config;
  REQUIRE(config.merge_toml(read_example(), "ia.toml"));
  for (const ia::config::Setting* setting : config.settings()) {
    CHECK(setting->origin == "default");
  }
}

TEST_CASE("config example: uncommented, it names every key once, each at its default") {
  std::string text = uncomment_keys(read_example());
  Config config;
  REQUIRE(config.merge_toml(text, "ia.toml"));
  std::map<std::string, int> seen = keys_set(text);
  CHECK(seen.size() == config.settings().size());
  // settings() lists every key in schema order, so the two lists pair up.
  std::vector<const ia::config::Setting*> example = config.settings();
  Config fresh;
  std::vector<const ia::config::Setting*> defaults = fresh.settings();
  REQUIRE(example.size() == defaults.size());
  for (std::size_t i = 0; i < example.size(); ++i) {
    std::string name =
        std::string(example[i]->def->section) + "." + std::string(example[i]->def->key);
    INFO(name);
    CHECK(seen[name] == 1);
    CHECK(example[i]->origin != "default");
    CHECK(ia::config::display(*example[i]) == ia::config::display(*defaults[i]));
  }
}

TEST_CASE("config example: the uncommenting finds a drifted key (the check can fail)") {
  std::string text = uncomment_keys(read_example());
  std::string drifted = std::regex_replace(text, std::regex("idle_time = "), "idel_time = ");
  Config config;
  CHECK_FALSE(config.merge_toml(drifted, "ia.toml"));
}
