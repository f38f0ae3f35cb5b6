// What ia-submit learns from a script before sending it: its text and the interpreter
// that runs it (what the user said, else none when a shebang runs it, else the extension).
// Pure functions apart from reading the file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace ia::client {

struct Script {
  std::string code;
  std::string interpreter;  // "" when the shebang runs it directly
  std::string name;         // the file's base name, "stdin" for '-'
};

// The program a shebang line runs: "#!/usr/bin/env python3 -u" -> "python3",
// "#!/usr/bin/env VAR=1 python3" -> "python3", "#!/bin/sh -e" -> "/bin/sh"; nullopt when
// there is no shebang or it names no program.
std::optional<std::string> shebang_interpreter(const std::string& code);

// ".py" -> "python3", ".sh" -> "sh", ".js" -> "node", ...; nullopt when unknown.
std::optional<std::string> interpreter_for_extension(const std::string& path);

// Chooses the interpreter: --interpreter wins; a script whose shebang names a program
// gets "" (run as an executable, the shebang's arguments kept); else the extension's.
// An error says how to name one when none can be told.
Result<std::string> choose_interpreter(const std::string& path, const std::string& code,
                                       const std::string& requested);

// Reads path ('-' for stdin) up to max_bytes and picks its interpreter.
Result<Script> load_script(const std::string& path, const std::string& requested_interpreter,
                           std::size_t max_bytes);

}  // namespace ia::client
