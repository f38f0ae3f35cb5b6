// What every tool shares: the common flags (--config, --json, -q, -v, --version, --help),
// loading the layered config with flag overrides, and run_tool, the one place that turns
// an ia::Error or a flag mistake into a message (or a JSON error) and an exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/log.hpp"
#include "core/result.hpp"

namespace ia::cli {

struct CommonOptions {
  std::optional<std::string> config_file;
  bool json = false;
  bool quiet = false;
  int verbose = 0;
};

// A flag that overrides a config key when given, e.g. {"--idle-time", "idle.idle_time"}.
struct ConfigFlag {
  std::string flag;
  std::string key;
  std::optional<std::string> value;
};

struct ToolSpec {
  std::string name;  // "ia-idle"
  int usage_exit = 2;
  // Exit code for an Error the tool's body returned; client_exit_code by default.
  std::function<int(const Error&)> error_exit;
};

// Version line printed by --version: "ia-idle 0.1.0 (git 3740ef2a1b2c)".
std::string version_line(const std::string& tool);

void add_common_flags(CLI::App& app, CommonOptions& common, const std::string& tool);

// Adds one string option per ConfigFlag; their values land in flags[i].value.
void add_config_flags(CLI::App& app, std::vector<ConfigFlag>& flags);

// The layered config with --config and the given flags applied last.
Result<config::Config> load_config(const CommonOptions& common,
                                   const std::vector<ConfigFlag>& flags);

LogLevel log_level(const CommonOptions& common);

// Parses argv into app, runs body, prints any error; returns the process exit code.
int run_tool(const ToolSpec& spec, CLI::App& app, const CommonOptions& common, int argc,
             char** argv, const std::function<Result<int>()>& body);

// Prints an error the way run_tool does (for tools that keep running after one).
void print_error(const std::string& tool, const Error& error, bool json);

}  // namespace ia::cli
