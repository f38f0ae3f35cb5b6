// ia::config::Config: the merged configuration of one tool run, with the origin of every
// value. Layers, later wins (DESIGN.md §5): defaults, /etc/ia/ia.toml, the user's
// $XDG_CONFIG_HOME/ia/ia.toml, the file in IA_CONFIG (or --config), IA_* variables, flags.
// Built once in main and then read; not safe to modify from several threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/schema.hpp"
#include "core/result.hpp"
#include "core/units.hpp"

namespace ia::config {

using Scalar = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>>;

struct Setting {
  const KeyDef* def = nullptr;
  Scalar value;
  std::string origin;  // "default", "/etc/ia/ia.toml:12", "IA_SERVER", "--server"
  bool is_set = false; // false while a key without a default has no value
};

class Config {
 public:
  Config();  // every key at its default

  // Names are "section.key". Asking for a key the schema lacks is a bug and aborts.
  const std::string& string(std::string_view name) const;
  bool boolean(std::string_view name) const;
  std::int64_t integer(std::string_view name) const;
  double number(std::string_view name) const;  // number and percent
  Millis duration(std::string_view name) const;
  std::uint64_t bytes(std::string_view name) const;
  const std::vector<std::string>& list(std::string_view name) const;
  bool has_value(std::string_view name) const;
  const std::string& origin(std::string_view name) const;

  // Sets a key from text as env variables and flags give it (validated by type).
  Status set_text(std::string_view name, std::string_view text, std::string origin);

  // Merges one TOML document; unknown sections or keys and wrong types are errors
  // naming file, line and key.
  Status merge_toml(std::string_view toml_text, const std::string& file_name);
  Status merge_file(const std::string& path);
  // Applies IA_* variables through lookup (getenv in production).
  Status merge_env(const std::function<const char*(const char*)>& lookup);

  // Every setting in schema order, for --print-config.
  std::vector<const Setting*> settings() const;

 private:
  const Setting& get(std::string_view name) const;
  Setting* find(std::string_view name);

  std::map<std::string, Setting, std::less<>> m_settings;
};

// Text of a value for display: durations and sizes in their short forms.
std::string display(const Setting& setting);

struct LoadOptions {
  std::optional<std::string> explicit_file;  // --config FILE; replaces IA_CONFIG
  std::function<const char*(const char*)> getenv;  // defaults to ::getenv
  bool read_system_files = true;  // /etc and XDG; tests turn this off
};

// The paths read, in order, for the given environment.
std::vector<std::string> layered_files(const LoadOptions& options);

Result<Config> load(const LoadOptions& options);

}  // namespace ia::config
