// ia-sched: the scheduler server (DESIGN.md §3-§8). Flags in, serve or manage tokens.
#include <iostream>

#include "cli/client_options.hpp"
#include "cli/exit_codes.hpp"
#include "cli/tool.hpp"
#include "config/config.hpp"
#include "json/writer.hpp"
#include "serve.hpp"

using namespace ia;

namespace {

void print_config(const config::Config& cfg, bool json) {
  json::Writer out;
  out.begin_object();
  for (const config::Setting* setting : cfg.settings()) {
    if (setting->def->section != "sched") continue;
    std::string name = "sched." + std::string(setting->def->key);
    if (json) {
      out.key(name).begin_object().field("value", config::display(*setting));
      out.field("origin", setting->origin).end_object();
    } else {
      std::cout << name << " = " << config::display(*setting) << "  # " << setting->origin
                << "\n";
    }
  }
  out.end_object();
  if (json) std::cout << out.text() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ia-sched: the Idle Accelerator scheduler, an HTTP/JSON server with a durable "
               "task queue, node registry and fair matching"};
  app.require_subcommand(0, 1);
  cli::CommonOptions common;
  cli::add_common_flags(app, common, "ia-sched");
  std::vector<cli::ConfigFlag> flags{
      {"--listen", "sched.listen", {}},        {"--store", "sched.store", {}},
      {"--state-dir", "sched.state_dir", {}},  {"--tls-cert", "sched.tls_cert", {}},
      {"--tls-key", "sched.tls_key", {}},
  };
  cli::add_config_flags(app, flags);
  bool insecure = false;
  bool show_config = false;
  app.add_flag("--insecure", insecure, "Serve without tokens (loopback addresses only)");
  app.add_flag("--print-config", show_config,
               "Print the merged [sched] settings and where each came from, then exit");

  server::TokenCommand token;
  CLI::App* token_app = app.add_subcommand("token", "Create, list or revoke API tokens");
  token_app->require_subcommand(1);
  CLI::App* create = token_app->add_subcommand("create", "Create a token; prints it once");
  create->add_option("--role", token.role, "admin, client or node")->required();
  create->add_option("--name", token.name, "A name to list and revoke it by");
  token_app->add_subcommand("list", "List tokens (never their values)");
  CLI::App* revoke = token_app->add_subcommand("revoke", "Revoke a token by name");
  revoke->add_option("name", token.name, "The token's name")->required();
  // Common flags (--json, --state-dir, ...) may follow the subcommand too.
  for (CLI::App* sub : {token_app, create, token_app->get_subcommand("list"), revoke}) {
    sub->fallthrough();
  }

  server::NodeCommand node;
  std::vector<cli::ConfigFlag> client_flags = cli::client_flags();
  CLI::App* node_app = app.add_subcommand("node", "Manage nodes through the running server");
  node_app->require_subcommand(1);
  CLI::App* reassign = node_app->add_subcommand(
      "reassign", "Move a node to another node token (an admin call to the running server)");
  reassign->add_option("node", node.node_id, "The node's id")->required();
  reassign->add_option("--token-name", node.token_name,
                       "The node token that is to speak for it; \"\": no token")
      ->required();
  cli::add_config_flags(*reassign, client_flags);
  for (CLI::App* sub : {node_app, reassign}) sub->fallthrough();

  cli::ToolSpec spec{"ia-sched", cli::k_exit_usage, {}};
  return cli::run_tool(spec, app, common, argc, argv, [&]() -> Result<int> {
    Logger log("ia-sched", cli::log_level(common));
    auto load = [&]() -> Result<config::Config> {
      Result<config::Config> cfg = cli::load_config(common, flags);
      if (cfg && insecure) IA_TRY(cfg->set_text("sched.insecure", "true", "--insecure"));
      return cfg;
    };
    if (token_app->parsed()) {
      Result<config::Config> cfg = load();
      IA_TRY(cfg);
      token.json = common.json;
      for (const char* action : {"create", "list", "revoke"}) {
        if (token_app->get_subcommand(action)->parsed()) token.action = action;
      }
      return server::run_token_command(*cfg, token);
    }
    if (node_app->parsed()) {
      std::vector<cli::ConfigFlag> all = flags;
      all.insert(all.end(), client_flags.begin(), client_flags.end());
      Result<config::Config> cfg = cli::load_config(common, all);
      IA_TRY(cfg);
      node.json = common.json;
      return server::run_node_reassign(*cfg, node);
    }
    if (show_config) {
      Result<config::Config> cfg = load();
      IA_TRY(cfg);
      print_config(*cfg, common.json);
      return 0;
    }
    return server::serve(load, log);
  });
}
