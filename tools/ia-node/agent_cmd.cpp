// ia-node run / once: set up the agent from the config and run it, with SIGTERM and
// SIGINT draining it from a signal thread.
#include <signal.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "cli/client_options.hpp"
#include "commands.hpp"
#include "core/strings.hpp"
#include "node/agent.hpp"
#include "node/http_link.hpp"
#include "node/identity.hpp"
#include "node/state_lock.hpp"

namespace ia::node_tool {
namespace {

Result<std::vector<std::string>> labels_from(const config::Config& cfg) {
  for (const std::string& label : cfg.list("node.labels")) {
    if (label.find('=') == std::string::npos) {
      return make_error(ErrorCode::invalid_argument, "node label '" + label + "' is not key=value",
                        "write labels like gpu=a100 (" + cfg.origin("node.labels") + ")");
    }
  }
  return cfg.list("node.labels");
}

Result<node::AgentOptions> agent_options(const config::Config& cfg, node::IdleProbe& probe) {
  node::AgentOptions options;
  Result<std::string> state_dir = node_state_dir(cfg);
  if (!state_dir) return std::move(state_dir).error();
  options.state_dir = *state_dir;
  Result<std::string> id = node::resolve_node_id(cfg.string("node.node_id"), options.state_dir);
  if (!id) return std::move(id).error();
  options.node_id = *id;
  options.slots = static_cast<int>(cfg.integer("node.slots"));
  Result<std::vector<std::string>> labels = labels_from(cfg);
  if (!labels) return std::move(labels).error();
  options.labels = std::move(labels).value();
  options.suspend_grace = cfg.duration("node.suspend_grace");
  options.drain_timeout = cfg.duration("node.drain_timeout");
  options.poll_wait = cfg.duration("node.poll_wait");
  options.check_interval = cfg.duration("node.check_interval");
  options.heartbeat_interval = cfg.duration("node.heartbeat_interval");
  IA_TRY(sandbox::apply_config(cfg, options.sandbox_base));
  Result<api::Resources> capacity = probe.capacity();
  if (!capacity) return std::move(capacity).error();
  options.capacity = *capacity;
  return options;
}

// The settings a SIGHUP may change, from a freshly read configuration.
Result<node::Reload> reload_from(const config::Config& cfg) {
  node::Reload reload;
  reload.slots = static_cast<int>(cfg.integer("node.slots"));
  Result<std::vector<std::string>> labels = labels_from(cfg);
  if (!labels) return std::move(labels).error();
  reload.labels = std::move(labels).value();
  reload.suspend_grace = cfg.duration("node.suspend_grace");
  reload.drain_timeout = cfg.duration("node.drain_timeout");
  reload.poll_wait = cfg.duration("node.poll_wait");
  reload.check_interval = cfg.duration("node.check_interval");
  reload.heartbeat_interval = cfg.duration("node.heartbeat_interval");
  Result<idle::Policy> policy = idle::Policy::from_config(cfg);
  if (!policy) return std::move(policy).error();
  reload.policy = std::move(policy).value();
  reload.always_idle = cfg.string("node.idle") == "always";
  return reload;
}

// Blocks SIGTERM, SIGINT and SIGHUP in every thread; one thread takes them with sigwait.
sigset_t block_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int exit_code(node::AgentExit why) {
  switch (why) {
    case node::AgentExit::owner_busy: return 1;
    case node::AgentExit::unreachable: return 3;
    case node::AgentExit::refused:
      return 4;
    default: return 0;
  }
}

}  // namespace

Result<std::string> node_state_dir(const config::Config& cfg) {
  std::string dir = cfg.string("node.state_dir");
  if (dir.empty()) {
    // "" + "/spool" would put the agent's files in /.
    return make_error(ErrorCode::invalid_argument,
                      "the node's state directory is empty (" + cfg.origin("node.state_dir") + ")",
                      "give --state-dir DIR, or leave it unset for /var/lib/ia/node");
  }
  return dir;
}

Result<int> run_agent(const config::Config& cfg, const ConfigLoader& load, const OnceOptions& once,
                      Logger& log) {
  std::string idle_mode = cfg.string("node.idle");
  if (idle_mode != "policy" && idle_mode != "always") {
    return make_error(ErrorCode::invalid_argument,
                      "--idle must be 'policy' or 'always', not '" + idle_mode + "'",
                      "'always' is for a dedicated machine; 'policy' follows [idle]");
  }
  Result<node::IdleProbe> probe = node::IdleProbe::from_config(cfg, idle_mode == "always");
  if (!probe) return std::move(probe).error();
  Result<node::AgentOptions> options = agent_options(cfg, *probe);
  if (!options) return std::move(options).error();
  Result<node::StateLock> lock = node::StateLock::acquire(options->state_dir);
  if (!lock) return std::move(lock).error();
  options->once = once.once;
  options->max_time = once.max_time;
  if (once.once) {
    Result<node::Observation> now = probe->observe(0);
    if (now && !now->machine_idle) {
      log.info("the machine is busy (" + probe->busy_reason() + "): not working now");
      return 1;
    }
  }
  Result<http::ClientOptions> client = cli::client_options(cfg);
  if (!client) return std::move(client).error();
  Result<std::unique_ptr<node::HttpLink>> link = node::HttpLink::create(*client, options->node_id);
  if (!link) return std::move(link).error();
  sigset_t signals = block_signals();
  node::Agent agent(std::move(options).value(), **link, *probe, log);
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    int signal = 0;
    while (sigwait(&signals, &signal) == 0 && !done) {
      if (signal == SIGHUP) {
        // A bad new file keeps the running settings: the agent must not stop over a typo.
        Result<config::Config> fresh = load();
        Result<node::Reload> reload =
            fresh ? reload_from(*fresh) : Result<node::Reload>(fresh.error());
        if (!reload) {
          log.error("SIGHUP: configuration not reloaded: " + reload.error().describe());
        } else {
          agent.request_reload(std::move(reload).value());
        }
        continue;
      }
      log.info(std::string("signal ") + strsignal(signal) + ": draining");
      agent.request_drain();
    }
  });
  Result<node::AgentExit> why = agent.run();
  done = true;
  pthread_kill(waiter.native_handle(), SIGTERM);  // wakes sigwait, which sees done
  waiter.join();
  if (!why) return std::move(why).error();
  return exit_code(*why);
}

}  // namespace ia::node_tool
