// ia-node: the node agent. Flags in, the agent loop (libia node/) or the status file out.
#include <CLI/CLI.hpp>

#include "cli/client_options.hpp"
#include "cli/tool.hpp"
#include "commands.hpp"
#include "core/units.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ia-node: lend this machine's idle time to an ia-sched scheduler.\n"
               "Runs leased tasks in the sandbox only while the owner is away."};
  app.fallthrough();
  app.require_subcommand(1);
  ia::cli::CommonOptions common;
  ia::cli::add_common_flags(app, common, "ia-node");
  std::vector<ia::cli::ConfigFlag> flags = ia::cli::client_flags();
  flags.push_back({"--state-dir", "node.state_dir", {}});
  flags.push_back({"--node-id", "node.node_id", {}});
  flags.push_back({"--slots", "node.slots", {}});
  flags.push_back({"--idle", "node.idle", {}});
  flags.push_back({"--drain-timeout", "node.drain_timeout", {}});
  flags.push_back({"--suspend-grace", "node.suspend_grace", {}});
  ia::cli::add_config_flags(app, flags);

  CLI::App* run = app.add_subcommand("run", "Work while idle until stopped (for systemd)");
  CLI::App* once = app.add_subcommand("once", "Work while idle, then exit (for cron)");
  std::string max_time;
  once->add_option("--max-time", max_time, "Stop (vacating what runs) after this long");
  CLI::App* status = app.add_subcommand("status", "Show what the local agent is doing");

  ia::cli::ToolSpec spec{"ia-node", 2, {}};
  return ia::cli::run_tool(spec, app, common, argc, argv, [&]() -> ia::Result<int> {
    ia::Result<ia::config::Config> cfg = ia::cli::load_config(common, flags);
    if (!cfg) return std::move(cfg).error();
    // An agent says what it does by default: info unless -q; -v adds debug.
    ia::Logger log("ia-node", common.quiet ? ia::LogLevel::error
                              : common.verbose ? ia::LogLevel::debug : ia::LogLevel::info);
    if (status->parsed()) return ia::node_tool::show_status(*cfg, common.json);
    ia::node_tool::OnceOptions options;
    options.once = once->parsed();
    if (!max_time.empty()) {
      ia::Result<ia::Millis> parsed = ia::parse_duration(max_time);
      if (!parsed) return std::move(parsed).error();
      options.max_time = *parsed;
    }
    (void)run;
    auto reload = [&] { return ia::cli::load_config(common, flags); };
    return ia::node_tool::run_agent(*cfg, reload, options, log);
  });
}
