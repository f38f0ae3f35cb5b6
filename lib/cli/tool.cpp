#include "cli/tool.hpp"

#include <cstdio>
#include <iostream>

#include "api/errors.hpp"
#include "cli/exit_codes.hpp"
#include "cli/terminal.hpp"
#include "core/strings.hpp"
#include "core/version.hpp"

namespace ia::cli {

int client_exit_code(const Error& error) {
  switch (error.code) {
    case ErrorCode::invalid_argument: return k_exit_usage;
    case ErrorCode::unavailable: return k_exit_unreachable;
    case ErrorCode::unauthorized:
    case ErrorCode::forbidden: return k_exit_unauthorized;
    case ErrorCode::not_found:
    case ErrorCode::task_not_found:
    case ErrorCode::node_not_found: return k_exit_not_found;
    default: return k_exit_failure;
  }
}

std::string version_line(const std::string& tool) {
  return tool + " " + std::string(k_version) + " (git " + std::string(k_revision) + ")";
}

void add_common_flags(CLI::App& app, CommonOptions& common, const std::string& tool) {
  app.set_version_flag("--version", version_line(tool), "Print the version and exit");
  app.add_option("--config", common.config_file,
                 "Read this TOML file after /etc/ia/ia.toml and ~/.config/ia/ia.toml")
      ->option_text("FILE");
  app.add_flag("--json", common.json, "Print JSON for scripts instead of text");
  app.add_flag("-q,--quiet", common.quiet, "Print only errors");
  app.add_flag("-v,--verbose", common.verbose, "Say more (repeat for debug output)");
}

void add_config_flags(CLI::App& app, std::vector<ConfigFlag>& flags) {
  for (ConfigFlag& flag : flags) {
    const config::KeyDef* def = nullptr;
    std::size_t dot = flag.key.find('.');
    def = config::find_key(flag.key.substr(0, dot), flag.key.substr(dot + 1));
    std::string help = def ? std::string(def->help) + " (" + flag.key + ")" : flag.key;
    app.add_option(flag.flag, flag.value, help);
  }
}

Result<config::Config> load_config(const CommonOptions& common,
                                   const std::vector<ConfigFlag>& flags) {
  config::LoadOptions options;
  options.explicit_file = common.config_file;
  Result<config::Config> loaded = config::load(options);
  if (!loaded) return loaded;
  for (const ConfigFlag& flag : flags) {
    if (!flag.value) continue;
    std::string name = flag.flag.substr(0, flag.flag.find(','));
    if (name.find("--") == std::string::npos) name = flag.flag.substr(flag.flag.find(',') + 1);
    IA_TRY(loaded->set_text(flag.key, *flag.value, name));
  }
  return loaded;
}

LogLevel log_level(const CommonOptions& common) {
  if (common.quiet) return LogLevel::error;
  if (common.verbose >= 2) return LogLevel::debug;
  if (common.verbose == 1) return LogLevel::info;
  return LogLevel::warning;
}

void print_error(const std::string& tool, const Error& error, bool json) {
  if (json) {
    std::cout << api::error_body(error) << std::endl;
    return;
  }
  bool color = use_color(2);
  // A server's error message reaches the terminal too: its control characters are shown.
  std::string text =
      tool + ": " + paint("error: ", Color::red, color) + escape_controls(error.message) + "\n";
  if (!error.hint.empty()) text += "hint: " + escape_controls(error.hint) + "\n";
  std::fputs(text.c_str(), stderr);
}

int run_tool(const ToolSpec& spec, CLI::App& app, const CommonOptions& common, int argc,
             char** argv, const std::function<Result<int>()>& body) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    Error error = make_error(ErrorCode::invalid_argument, e.what(),
                             "run '" + spec.name + " --help' for usage");
    print_error(spec.name, error, common.json);
    return spec.usage_exit;
  }
  Result<int> outcome = body();
  if (outcome) return *outcome;
  const Error& error = outcome.error();
  print_error(spec.name, error, common.json);
  if (error.code == ErrorCode::invalid_argument) return spec.usage_exit;
  return spec.error_exit ? spec.error_exit(error) : client_exit_code(error);
}

}  // namespace ia::cli
