#include "config/config.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "config/value_parse.hpp"
#include "core/file.hpp"
#include "core/strings.hpp"

namespace ia::config {
namespace {

std::string full_name(const KeyDef& def) {
  return std::string(def.section) + "." + std::string(def.key);
}

// A config file is a few kilobytes; the bound keeps a wrong path (/dev/zero, a log file)
// from filling memory.
constexpr std::size_t k_max_config_bytes = 1 << 20;

Result<std::string> read_whole_file(const std::string& path) {
  Result<std::string> text = read_file(path, k_max_config_bytes);
  if (text) return text;
  Error error = std::move(text).error();
  error.code = ErrorCode::invalid_argument;
  error.hint = "a config file is a small TOML file (see ia.toml(5)); check --config and IA_CONFIG";
  return error;
}

bool file_exists(const std::string& path) {
  std::ifstream in(path);
  return static_cast<bool>(in);
}

}  // namespace

Config::Config() {
  for (const KeyDef& def : schema()) {
    Setting setting{&def, std::string(), "default", false};
    if (!def.default_text.empty() || def.type == Type::string || def.type == Type::string_list) {
      Result<Scalar> value = parse_text(def, def.default_text);
      // Defaults are written by us: a default that does not parse is a bug.
      if (!value) std::abort();
      setting.value = std::move(value).value();
      setting.is_set = !def.default_text.empty();
    }
    m_settings.emplace(full_name(def), std::move(setting));
  }
}

const Setting& Config::get(std::string_view name) const {
  auto it = m_settings.find(name);
  if (it == m_settings.end()) {
    std::fprintf(stderr, "bug: unknown configuration key '%.*s'\n", static_cast<int>(name.size()),
                 name.data());
    std::abort();
  }
  return it->second;
}

Setting* Config::find(std::string_view name) {
  auto it = m_settings.find(name);
  return it == m_settings.end() ? nullptr : &it->second;
}

const std::string& Config::string(std::string_view name) const {
  return std::get<std::string>(get(name).value);
}
bool Config::boolean(std::string_view name) const { return std::get<bool>(get(name).value); }
std::int64_t Config::integer(std::string_view name) const {
  return std::get<std::int64_t>(get(name).value);
}
double Config::number(std::string_view name) const { return std::get<double>(get(name).value); }
Millis Config::duration(std::string_view name) const {
  return Millis(std::get<std::int64_t>(get(name).value));
}
std::uint64_t Config::bytes(std::string_view name) const {
  return static_cast<std::uint64_t>(std::get<std::int64_t>(get(name).value));
}
const std::vector<std::string>& Config::list(std::string_view name) const {
  return std::get<std::vector<std::string>>(get(name).value);
}
bool Config::has_value(std::string_view name) const { return get(name).is_set; }
const std::string& Config::origin(std::string_view name) const { return get(name).origin; }

Status Config::set_text(std::string_view name, std::string_view text, std::string origin) {
  Setting* setting = find(name);
  if (!setting) {
    return make_error(ErrorCode::invalid_argument, "unknown configuration key '" + std::string(name) + "'");
  }
  Result<Scalar> value = parse_text(*setting->def, text);
  if (!value) {
    Error error = std::move(value).error();
    error.message = origin + ": " + error.message;
    return error;
  }
  setting->value = std::move(value).value();
  setting->origin = std::move(origin);
  setting->is_set = true;
  return {};
}

Status Config::merge_env(const std::function<const char*(const char*)>& lookup) {
  for (const KeyDef& def : schema()) {
    if (def.env.empty()) continue;
    const char* text = lookup(std::string(def.env).c_str());
    if (!text) continue;
    IA_TRY(set_text(full_name(def), text, std::string(def.env)));
  }
  return {};
}

Status Config::merge_file(const std::string& path) {
  Result<std::string> text = read_whole_file(path);
  if (!text) return std::move(text).error();
  return merge_toml(*text, path);
}

std::vector<const Setting*> Config::settings() const {
  std::vector<const Setting*> out;
  for (const KeyDef& def : schema()) out.push_back(&get(full_name(def)));
  return out;
}

std::string display(const Setting& setting) {
  if (!setting.is_set) return "";
  return display_scalar(*setting.def, setting.value);
}

std::vector<std::string> layered_files(const LoadOptions& options) {
  auto lookup = options.getenv ? options.getenv : [](const char* name) -> const char* {
    return std::getenv(name);
  };
  std::vector<std::string> files;
  if (options.read_system_files) {
    files.emplace_back("/etc/ia/ia.toml");
    const char* xdg = lookup("XDG_CONFIG_HOME");
    const char* home = lookup("HOME");
    if (xdg && *xdg) {
      files.push_back(std::string(xdg) + "/ia/ia.toml");
    } else if (home && *home) {
      files.push_back(std::string(home) + "/.config/ia/ia.toml");
    }
  }
  return files;
}

Result<Config> load(const LoadOptions& options) {
  auto lookup = options.getenv ? options.getenv : [](const char* name) -> const char* {
    return std::getenv(name);
  };
  Config config;
  for (const std::string& path : layered_files(options)) {
    if (file_exists(path)) IA_TRY(config.merge_file(path));
  }
  std::optional<std::string> explicit_file = options.explicit_file;
  if (!explicit_file) {
    if (const char* env_file = lookup("IA_CONFIG"); env_file && *env_file) explicit_file = env_file;
  }
  if (explicit_file) {
    if (!file_exists(*explicit_file)) {
      return make_error(ErrorCode::invalid_argument, "config file " + *explicit_file + " cannot be read",
                        "check the path given by --config or IA_CONFIG");
    }
    IA_TRY(config.merge_file(*explicit_file));
  }
  IA_TRY(config.merge_env(lookup));
  return config;
}

}  // namespace ia::config
