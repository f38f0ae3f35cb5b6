// ia-node's subcommands: run and once (agent_cmd.cpp), status (status_cmd.cpp).
#pragma once

#include <functional>

#include "config/config.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "core/units.hpp"

namespace ia::node_tool {

struct OnceOptions {
  bool once = false;
  Millis max_time{0};
};

// Reads the configuration again (SIGHUP).
using ConfigLoader = std::function<Result<config::Config>()>;

// Exit codes: 0 drained / worked / no work, 1 the machine is busy, 3 scheduler unreachable,
// 4 the scheduler refused the token.
Result<int> run_agent(const config::Config& cfg, const ConfigLoader& reload,
                      const OnceOptions& once, Logger& log);

Result<int> show_status(const config::Config& cfg, bool json);

// [node] state_dir, refused when empty.
Result<std::string> node_state_dir(const config::Config& cfg);

}  // namespace ia::node_tool
