// Config::merge_toml: the one place toml++ is used. Its exceptions stop here.
#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/value_parse.hpp"
#include "core/strings.hpp"

namespace ia::config {
namespace {

std::string where(const std::string& file, const toml::node& node) {
  const toml::source_region& source = node.source();
  return file + ":" + std::to_string(source.begin.line);
}

std::vector<std::string> section_names() {
  std::vector<std::string> names;
  for (const KeyDef& def : schema()) {
    if (names.empty() || names.back() != def.section) names.emplace_back(def.section);
  }
  return names;
}

std::vector<std::string> key_names(std::string_view section) {
  std::vector<std::string> names;
  for (const KeyDef& def : schema()) {
    if (def.section == section) names.emplace_back(def.key);
  }
  return names;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string match = closest_match(word, candidates);
  return match.empty() ? "" : " (did you mean '" + match + "'?)";
}

// Converts a TOML value to the key's type. Durations and sizes take a string ("10m") or
// a bare integer (seconds, bytes); everything else must have the TOML type it names.
Result<Scalar> from_node(const KeyDef& def, const toml::node& node) {
  if (node.is_string()) {
    if (def.type == Type::string || def.type == Type::duration || def.type == Type::bytes) {
      return parse_text(def, *node.value<std::string>());
    }
  } else if (node.is_boolean() && def.type == Type::boolean) {
    return Scalar(*node.value<bool>());
  } else if (node.is_integer()) {
    std::int64_t number = *node.value<std::int64_t>();
    if (def.type == Type::integer || def.type == Type::bytes) {
      Scalar value = number;
      IA_TRY(check_range(def, value));
      return value;
    }
    if (def.type == Type::duration) return parse_text(def, std::to_string(number) + "s");
    if (def.type == Type::number || def.type == Type::percent) {
      Scalar value = static_cast<double>(number);
      IA_TRY(check_range(def, value));
      return value;
    }
  } else if (node.is_floating_point() && (def.type == Type::number || def.type == Type::percent)) {
    Scalar value = *node.value<double>();
    IA_TRY(check_range(def, value));
    return value;
  } else if (node.is_array() && def.type == Type::string_list) {
    std::vector<std::string> items;
    for (const toml::node& item : *node.as_array()) {
      if (!item.is_string()) break;
      items.push_back(*item.value<std::string>());
    }
    if (items.size() == node.as_array()->size()) return Scalar(std::move(items));
  }
  return make_error(ErrorCode::invalid_argument,
                    "[" + std::string(def.section) + "] " + std::string(def.key) + " must be " +
                        std::string(type_name(def.type)));
}

}  // namespace

Status Config::merge_toml(std::string_view toml_text, const std::string& file_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(file_name));
  } catch (const toml::parse_error& error) {
    return make_error(ErrorCode::invalid_argument,
                      file_name + ":" + std::to_string(error.source().begin.line) + ": " +
                          std::string(error.description()),
                      "fix the TOML syntax at that line");
  }
  for (auto&& [section_key, section_node] : root) {
    std::string section(section_key.str());
    const toml::table* table = section_node.as_table();
    if (!table && !key_names(section).empty()) {
      std::string what = section_node.is_array_of_tables()
                             ? "[[" + section + "]] is an array of tables"
                             : "'" + section + "' is a value";
      return make_error(ErrorCode::invalid_argument,
                        where(file_name, section_node) + ": " + what + ", but [" + section +
                            "] must be one table",
                        "write [" + section + "] once, with its keys on the lines below it");
    }
    if (!table || key_names(section).empty()) {
      return make_error(ErrorCode::invalid_argument,
                        where(file_name, section_node) + ": unknown section [" + section + "]" +
                            did_you_mean(section, section_names()),
                        "known sections: " + join(section_names(), ", "));
    }
    for (auto&& [key_node_key, node] : *table) {
      std::string key(key_node_key.str());
      const KeyDef* def = find_key(section, key);
      if (!def) {
        return make_error(ErrorCode::invalid_argument,
                          where(file_name, node) + ": unknown key '" + key + "' in [" + section +
                              "]" + did_you_mean(key, key_names(section)),
                          "known keys in [" + section + "]: " + join(key_names(section), ", "));
      }
      Result<Scalar> value = from_node(*def, node);
      if (!value) {
        Error error = std::move(value).error();
        error.message = where(file_name, node) + ": " + error.message;
        return error;
      }
      Setting* setting = find(section + "." + key);
      setting->value = std::move(value).value();
      setting->origin = where(file_name, node);
      setting->is_set = true;
    }
  }
  return {};
}

}  // namespace ia::config
