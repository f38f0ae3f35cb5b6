// ia-sandbox: run one command isolated and limited; exit like timeout(1).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/tool.hpp"
#include "core/strings.hpp"
#include "sandbox/sandbox.hpp"

namespace {

constexpr int k_exit_timeout = 124;
constexpr int k_exit_sandbox = 125;

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ia;
  CLI::App app(
      "Run a command isolated and limited: new namespaces, a read-only root, "
      "cgroup limits, seccomp, no network.\nExit status: the command's, 124 on "
      "timeout, 125 when the sandbox cannot start, 128+N on signal N.",
      "ia-sandbox");
  cli::CommonOptions common;
  cli::add_common_flags(app, common, "ia-sandbox");
  std::vector<cli::ConfigFlag> flags = {{"--timeout", "sandbox.timeout", std::nullopt},
                                        {"--cpu-time", "sandbox.cpu_time", std::nullopt},
                                        {"--memory", "sandbox.memory", std::nullopt},
                                        {"--pids", "sandbox.pids", std::nullopt},
                                        {"--output-limit", "sandbox.output_limit", std::nullopt},
                                        {"--cpus", "sandbox.cpus", std::nullopt},
                                        {"--require", "sandbox.require", std::nullopt}};
  cli::add_config_flags(app, flags);
  std::string workdir, gpu_list;
  bool net = false;
  std::vector<std::string> env_extra;
  std::vector<std::string> command;
  app.add_option("--workdir", workdir,
                 "Working directory shown at /task (default: a private "
                 "temporary one, removed afterwards)")
      ->option_text("DIR");
  app.add_flag("--net", net, "Share the host's network (default: loopback only)");
  app.add_option("--gpu", gpu_list, "NVIDIA GPUs to make visible, such as 0,1")
      ->option_text("LIST");
  app.add_option("-e,--env", env_extra, "Add K=V to the task's environment")->option_text("K=V");
  app.add_option("command", command, "The command and its arguments, after --")->required();
  app.positionals_at_end();

  cli::ToolSpec tool{"ia-sandbox", k_exit_sandbox, [](const Error&) { return k_exit_sandbox; }};
  return cli::run_tool(tool, app, common, argc, argv, [&]() -> Result<int> {
    Result<config::Config> cfg = cli::load_config(common, flags);
    if (!cfg) return std::move(cfg).error();
    sandbox::Spec spec;
    IA_TRY(sandbox::apply_config(*cfg, spec));
    spec.argv = command;
    spec.env = sandbox::default_env([](const char* name) { return std::getenv(name); });
    for (const std::string& entry : env_extra) {
      if (entry.find('=') == std::string::npos || entry.front() == '=') {
        return make_error(ErrorCode::invalid_argument, "bad --env '" + entry + "'",
                          "write it as NAME=VALUE");
      }
      std::size_t equals = entry.find('=');
      sandbox::set_env(spec.env, entry.substr(0, equals), entry.substr(equals + 1));
    }
    spec.workdir = workdir;
    spec.net = spec.net || net;
    Result<std::vector<int>> gpus = sandbox::parse_gpu_list(gpu_list);
    if (!gpus) return std::move(gpus).error();
    spec.gpus = *gpus;
    spec.stdin_source.kind = sandbox::StdinSource::Kind::inherit;
    spec.freezable = false;  // nothing here freezes the task
    spec.capture = common.json;
    if (!common.json) {
      spec.on_output = [](sandbox::Stream stream, std::string_view chunk) {
        write_all(stream == sandbox::Stream::stdout_stream ? 1 : 2, chunk);
      };
    }
    // A reader that goes away must not kill us before the task is cleaned up.
    ::signal(SIGPIPE, SIG_IGN);
    Result<sandbox::Outcome> outcome = sandbox::run(spec);
    if (!outcome) return std::move(outcome).error();
    if (common.json) {
      std::cout << sandbox::outcome_json(*outcome) << std::endl;
    } else if (!common.quiet) {
      if (outcome->stdout_truncated || outcome->stderr_truncated) {
        std::fprintf(stderr, "ia-sandbox: output truncated at %s per stream\n",
                     format_bytes(spec.limits.output).c_str());
      }
      if (outcome->timed_out) {
        std::fprintf(stderr, "ia-sandbox: %s limit reached; the task was killed\n",
                     outcome->limit_hit == "cpu_time" ? "CPU time" : "wall time");
      } else if (outcome->oom_killed) {
        std::fprintf(stderr, "ia-sandbox: memory limit reached; the task was killed\n");
      }
    }
    return outcome->timed_out ? k_exit_timeout : outcome->exit_code;
  });
}
