// The two things ia-sched does: serve (until SIGTERM; SIGHUP reloads) and manage tokens.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "core/log.hpp"
#include "core/result.hpp"

namespace ia::server {

using ConfigLoader = std::function<Result<config::Config>()>;

Result<int> serve(const ConfigLoader& load, Logger& log);

struct TokenCommand {
  std::string action;  // create, list, revoke
  std::string role = "client";
  std::optional<std::string> name;
  bool json = false;
};

Result<int> run_token_command(const config::Config& cfg, const TokenCommand& command);

// ia-sched node reassign NODE --token-name NAME: asks the running server (an admin call).
struct NodeCommand {
  std::string node_id;
  std::string token_name;
  bool json = false;
};

Result<int> run_node_reassign(const config::Config& cfg, const NodeCommand& command);

}  // namespace ia::server
