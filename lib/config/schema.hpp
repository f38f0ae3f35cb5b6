// The one list of every configuration key ia.toml may hold, with its type, default and
// environment variable. Every tool reads the same file, so every tool knows every key.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace ia::config {

enum class Type {
  string,
  boolean,
  integer,
  number,
  percent,      // a number from 0 to 100
  duration,     // "90s", "10m", or an integer of seconds in TOML
  bytes,        // "512M", or an integer of bytes in TOML
  string_list,  // TOML array of strings; comma-separated in env and flags
};

std::string_view type_name(Type type);

struct KeyDef {
  std::string_view section;
  std::string_view key;
  Type type;
  std::string_view default_text;  // parsed like an env value; "" for no default
  std::string_view env;           // environment variable, "" for none
  std::string_view help;
  std::optional<double> min = std::nullopt;  // inclusive bounds for numeric types
  std::optional<double> max = std::nullopt;
};

const std::vector<KeyDef>& schema();

const KeyDef* find_key(std::string_view section, std::string_view key);

}  // namespace ia::config
