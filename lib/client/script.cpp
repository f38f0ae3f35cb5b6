#include "client/script.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "core/file.hpp"
#include "core/strings.hpp"
#include "json/utf8.hpp"

namespace ia::client {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 10> k_extensions{{
    {".py", "python3"}, {".sh", "sh"}, {".bash", "bash"}, {".js", "node"}, {".mjs", "node"},
    {".rb", "ruby"}, {".pl", "perl"}, {".R", "Rscript"}, {".lua", "lua"}, {".jl", "julia"},
}};

std::string base_name(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string display_name(const std::string& path) {
  return path == "-" ? std::string("stdin") : path;
}

Result<std::string> read_script(const std::string& path, std::size_t max_bytes) {
  Result<std::string> code =
      path == "-" ? read_all(0, "stdin", max_bytes) : read_file(path, max_bytes);
  if (code) return code;
  Error error = std::move(code).error();
  if (error.code == ErrorCode::payload_too_large) {
    error.hint = "send large inputs as files the script reads, not as the script itself";
    return error;
  }
  // A script that is not there is the caller's mistake (exit 2), not a missing task.
  error.code = ErrorCode::invalid_argument;
  error.hint = "check the script's path";
  return error;
}

// JSON carries text, so the writer would turn bytes that are not UTF-8 into U+FFFD and
// the node would run a script other than the one given.
Status check_utf8(const std::string& path, const std::string& code) {
  std::size_t offset = json::invalid_utf8_offset(code);
  if (offset == std::string::npos) return {};
  std::string byte = hex_byte(static_cast<unsigned char>(code[offset]));
  std::string_view before(code.data(), offset);
  auto line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  return make_error(ErrorCode::invalid_argument,
                    display_name(path) + " is not valid UTF-8: byte " + byte + " at offset " +
                        std::to_string(offset) + " (line " + std::to_string(line) + ")",
                    "scripts travel as UTF-8 text: convert it (iconv -t UTF-8), or send binary "
                    "data as a file the script reads");
}

}  // namespace

std::optional<std::string> shebang_interpreter(const std::string& code) {
  if (!starts_with(code, "#!")) return std::nullopt;
  std::string line = code.substr(2, code.find('\n') - 2);
  std::vector<std::string> words = split_fields(trim(line));
  if (words.empty()) return std::nullopt;
  // "#!/usr/bin/env python3" names the program after env's flags and assignments.
  if (base_name(words[0]) == "env") {
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (!starts_with(words[i], "-") && words[i].find('=') == std::string::npos) return words[i];
    }
    return std::nullopt;
  }
  return words[0];
}

std::optional<std::string> interpreter_for_extension(const std::string& path) {
  std::string name = base_name(path);
  std::size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) return std::nullopt;
  std::string extension = name.substr(dot);
  for (auto [ext, interpreter] : k_extensions) {
    if (ext == extension) return std::string(interpreter);
  }
  return std::nullopt;
}

Result<std::string> choose_interpreter(const std::string& path, const std::string& code,
                                       const std::string& requested) {
  if (!requested.empty()) return requested;
  // No interpreter: the node runs the script as an executable, so the kernel reads the
  // whole shebang line, its arguments included ("#!/bin/sh -e"), as it would here.
  if (shebang_interpreter(code)) return std::string();
  if (auto from_extension = interpreter_for_extension(path)) return *from_extension;
  return make_error(ErrorCode::invalid_argument,
                    "cannot tell which interpreter runs " + (path == "-" ? "stdin" : path),
                    "add a shebang line (#!/usr/bin/env python3) or pass --interpreter NAME");
}

Result<Script> load_script(const std::string& path, const std::string& requested_interpreter,
                           std::size_t max_bytes) {
  Result<std::string> code = read_script(path, max_bytes);
  if (!code) return std::move(code).error();
  if (code->empty()) {
    return make_error(ErrorCode::invalid_argument, display_name(path) + " is empty",
                      "give a script with something in it");
  }
  IA_TRY(check_utf8(path, *code));
  Result<std::string> interpreter = choose_interpreter(path, *code, requested_interpreter);
  if (!interpreter) return std::move(interpreter).error();
  return Script{std::move(code).value(), std::move(interpreter).value(),
                path == "-" ? "stdin" : base_name(path)};
}

}  // namespace ia::client
