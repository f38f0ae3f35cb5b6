#include "client/task_input.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "client/batch.hpp"
#include "core/file.hpp"
#include "core/strings.hpp"
#include "json/utf8.hpp"

namespace ia::client {
namespace {

// Set on the node for every task (sandbox::default_env) or meaningless on another machine.
constexpr std::array<std::string_view, 10> k_machine_vars{
    "PATH", "HOME", "TMPDIR", "USER", "PWD", "OLDPWD", "SHLVL", "_", "LOGNAME", "IA_TASK_ID"};

bool kept_by_export_all(std::string_view name) {
  if (name.rfind("IA_", 0) == 0) return false;
  return std::find(k_machine_vars.begin(), k_machine_vars.end(), name) == k_machine_vars.end();
}

const char* find_env(const char* const* environ, std::string_view name) {
  for (const char* const* entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    if (text.size() > name.size() && text.compare(0, name.size(), name) == 0 &&
        text[name.size()] == '=') {
      return *entry + name.size() + 1;
    }
  }
  return nullptr;
}

Status add_named(EnvList& out, const std::string& item, const char* const* environ) {
  if (item.find('=') != std::string::npos) {
    Result<std::pair<std::string, std::string>> pair = parse_assignment(item, true);
    if (!pair) return std::move(pair).error();
    out.push_back(std::move(*pair));
    return {};
  }
  Result<std::pair<std::string, std::string>> checked = parse_assignment(item + "=", true);
  if (!checked) return std::move(checked).error();
  const char* value = find_env(environ, item);
  if (!value) {
    return make_error(ErrorCode::invalid_argument,
                      "--export " + item + ": no such variable in this environment",
                      "set it first (export " + item + "=...), or give --export " + item +
                          "=VALUE");
  }
  out.emplace_back(item, value);
  return {};
}

}  // namespace

Result<std::string> read_task_stdin(const std::string& source, std::size_t max_bytes) {
  std::string name = source == "-" ? std::string("standard input") : source;
  Result<std::string> data =
      source == "-" ? read_all(0, name, max_bytes) : read_file(source, max_bytes);
  if (!data) {
    Error error = std::move(data).error();
    if (error.code != ErrorCode::payload_too_large) error.code = ErrorCode::invalid_argument;
    error.message = "--stdin: " + error.message;
    if (error.hint.empty()) {
      error.hint = "large inputs go as files the script reads, not as its standard input";
    }
    return error;
  }
  std::size_t bad = json::invalid_utf8_offset(*data);
  if (bad != std::string::npos) {
    return make_error(ErrorCode::invalid_argument,
                      "--stdin: " + name + " is not UTF-8 text (byte " +
                          hex_byte(static_cast<unsigned char>((*data)[bad])) + " at offset " +
                          std::to_string(bad) + ")",
                      "a task's standard input travels as text; encode binary data (base64)");
  }
  return data;
}

bool stdin_looks_meant_for_task(int fd) {
  struct stat info{};
  if (::fstat(fd, &info) != 0) return false;
  return S_ISFIFO(info.st_mode) || (S_ISREG(info.st_mode) && info.st_size > 0);
}

Result<EnvList> exported_env(const std::vector<std::string>& lists, bool all,
                             const char* const* environ) {
  EnvList out;
  if (all) {
    for (const char* const* entry = environ; entry && *entry; ++entry) {
      std::string_view text(*entry);
      std::size_t eq = text.find('=');
      if (eq == 0 || eq == std::string_view::npos) continue;
      std::string name(text.substr(0, eq));
      if (!kept_by_export_all(name)) continue;
      // Names no shell could have set (a '-' in them) are left behind, not an error.
      if (!parse_assignment(name + "=", true)) continue;
      out.emplace_back(name, std::string(text.substr(eq + 1)));
    }
  }
  for (const std::string& list : lists) {
    for (const std::string& item : split(list, ',')) {
      if (item.empty()) continue;
      IA_TRY(add_named(out, item, environ));
    }
  }
  return out;
}

}  // namespace ia::client
