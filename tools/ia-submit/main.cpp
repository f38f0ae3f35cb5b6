// ia-submit: send a script (or many) to ia-sched; with --wait, follow it to the end.
#include <CLI/CLI.hpp>

#include "cli/client_options.hpp"
#include "cli/flag_checks.hpp"
#include "cli/tool.hpp"
#include "client/submission.hpp"
#include "core/units.hpp"
#include "submit_cmd.hpp"

namespace {

constexpr std::size_t k_max_tasks = 100000;
constexpr std::size_t k_max_script = 64u << 20;

struct Flags {
  std::string script;
  std::vector<std::string> args;
  std::string interpreter, name, timeout, memory, array, each;
  std::optional<double> cpus;
  std::optional<std::int64_t> gpus, priority, retries;
  std::vector<std::string> env, labels;
  bool wait = false, parsable = false, cancel_on_interrupt = false;
};

ia::Result<ia::client::SubmitRequest> to_request(const Flags& flags) {
  ia::Result<ia::client::Script> script =
      ia::client::load_script(flags.script, flags.interpreter, k_max_script);
  if (!script) return std::move(script).error();
  ia::client::SubmitRequest request;
  request.script = std::move(script).value();
  request.args = flags.args;
  request.name = flags.name;
  if (!flags.timeout.empty()) {
    ia::Result<ia::Millis> timeout = ia::parse_duration(flags.timeout);
    if (!timeout) return std::move(timeout).error();
    if (*timeout < std::chrono::seconds(1)) {
      return ia::make_error(ia::ErrorCode::invalid_argument,
                            "--timeout " + flags.timeout + " is shorter than the 1s minimum",
                            "give a wall-time limit from 1s to 7d, such as 90s or 10m");
    }
    request.timeout_s = (timeout->count() + 999) / 1000;
  }
  if (!flags.memory.empty()) {
    ia::Result<std::uint64_t> bytes = ia::parse_bytes(flags.memory);
    if (!bytes) return std::move(bytes).error();
    request.memory_mib = static_cast<std::int64_t>((*bytes + (1u << 20) - 1) >> 20);
  }
  request.cpus = flags.cpus;
  request.gpus = flags.gpus;
  request.priority = flags.priority;
  request.retries = flags.retries;
  request.env = flags.env;
  request.labels = flags.labels;
  request.array = flags.array;
  request.each_file = flags.each;
  return request;
}

}  // namespace

int main(int argc, char** argv) {
  ia::http::global_init();
  CLI::App app{
      "ia-submit: run a script on an idle machine of the pool.\n"
      "--interpreter names the program that runs the script; else its shebang runs\n"
      "it as an executable; else its extension picks the program."};
  ia::cli::CommonOptions common;
  ia::cli::add_common_flags(app, common, "ia-submit");
  std::vector<ia::cli::ConfigFlag> config_flags = ia::cli::client_flags();
  ia::cli::add_config_flags(app, config_flags);
  Flags flags;
  app.add_option("script", flags.script, "Script file, or - to read it from stdin")->required();
  app.add_option("args", flags.args, "Arguments for the script (after --)");
  app.add_option("--interpreter", flags.interpreter, "Program that runs the script");
  app.add_option("--name", flags.name, "A name to find the task by");
  app.add_option("--timeout", flags.timeout, "Wall-time limit, e.g. 10m");
  // The scheduler's own limits, so that a typo is told here, by flag name.
  app.add_option("--cpus", flags.cpus, "CPUs the task needs")
      ->check(ia::cli::number_between(0, 4096, true));
  app.add_option("--memory", flags.memory, "Memory the task needs, e.g. 512M");
  app.add_option("--gpus", flags.gpus, "Whole GPUs the task needs")
      ->check(ia::cli::number_between(0, 1024));
  app.add_option("--priority", flags.priority, "Higher runs first");
  app.add_option("--retries", flags.retries, "Times to retry after a lost node")
      ->check(CLI::Range(0, 100));
  // Repeatable, one value each, so a following script name is not taken as another value.
  app.add_option("--env", flags.env, "K=V in the task's environment (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--label", flags.labels, "k=v the node must carry (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--array", flags.array, "One task per index A-B[:STEP] (IA_ARRAY_INDEX)");
  app.add_option("--each", flags.each, "One task per line of FILE, the line as arguments");
  app.add_flag("--wait", flags.wait, "Follow the task; exit with its exit code");
  app.add_flag("--cancel-on-interrupt", flags.cancel_on_interrupt,
               "With --wait: Ctrl-C cancels the task instead of detaching");
  app.add_flag("--parsable", flags.parsable, "Print only task ids, one a line");

  ia::cli::ToolSpec spec{"ia-submit", 2, {}};
  return ia::cli::run_tool(spec, app, common, argc, argv, [&]() -> ia::Result<int> {
    ia::Result<ia::config::Config> cfg = ia::cli::load_config(common, config_flags);
    if (!cfg) return std::move(cfg).error();
    ia::Result<ia::http::ClientOptions> client = ia::cli::client_options(*cfg);
    if (!client) return std::move(client).error();
    ia::Result<ia::client::SubmitRequest> request = to_request(flags);
    if (!request) return std::move(request).error();
    ia::Result<std::vector<ia::api::TaskSpec>> specs = ia::client::expand(*request, k_max_tasks);
    if (!specs) return std::move(specs).error();
    ia::client::Scheduler scheduler(*client);
    ia::submit_tool::Output output{common.json, flags.parsable, common.quiet, flags.wait,
                                   flags.cancel_on_interrupt};
    return ia::submit_tool::submit_all(scheduler, *specs, output);
  });
}
