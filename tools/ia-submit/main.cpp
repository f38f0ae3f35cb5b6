// ia-submit: send a script (or many) to ia-sched; with --wait, follow it to the end.
#include <CLI/CLI.hpp>

#include "cli/client_options.hpp"
#include "cli/flag_checks.hpp"
#include "cli/tool.hpp"
#include "client/submission.hpp"
#include "request.hpp"
#include "submit_cmd.hpp"

namespace {

constexpr std::size_t k_max_tasks = 100000;

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
  ia::submit_tool::Flags flags;
  app.add_option("script", flags.script, "Script file, or - to read it from stdin")->required();
  app.add_option("args", flags.args, "Arguments for the script (after --)");
  app.add_option("--interpreter", flags.interpreter, "Program that runs the script");
  app.add_option("--name", flags.name, "A name to find the task by");
  // Defaults are the scheduler's (lib/api/task.hpp), shown so that nobody has to guess.
  app.add_option("--timeout", flags.timeout, "Wall-time limit, e.g. 10m (default 5m)");
  // The scheduler's own limits, so that a typo is told here, by flag name.
  app.add_option("--cpus", flags.cpus, "CPUs the task needs (default 1)")
      ->check(ia::cli::number_between(0, 4096, true));
  app.add_option("--memory", flags.memory, "Memory the task needs, e.g. 2G (default 512M)");
  app.add_option("--gpus", flags.gpus, "Whole GPUs the task needs (default 0)")
      ->check(ia::cli::number_between(0, 1024));
  app.add_option("--priority", flags.priority, "Higher runs first (default 0)");
  app.add_option("--retries", flags.retries, "Times to retry after a lost node (default 3)")
      ->check(CLI::Range(0, 100));
  app.add_option("--output-limit", flags.output_limit,
                 "Output kept, e.g. 16M (default 1M; at most the server's [sched] max_output)");
  app.add_option("--kill-grace", flags.kill_grace,
                 "Time between SIGTERM and SIGKILL on cancel, timeout or vacate (default 10s)");
  app.add_option("--stdin", flags.stdin_source,
                 "Send FILE ('-': this standard input) as the task's standard input");
  // Repeatable, one value each, so a following script name is not taken as another value.
  app.add_option("--env", flags.env, "K=V in the task's environment (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--export", flags.exports,
                 "Pass these variables of this shell to the task: NAME[,NAME...] (repeatable)")
      ->allow_extra_args(false);
  app.add_flag("--export-all", flags.export_all,
               "Pass this shell's whole environment but IA_* and PATH, HOME, ... (never by default)");
  app.add_option("--label", flags.labels, "k=v the node must carry (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--array", flags.array, "One task per index A-B[:STEP] (IA_ARRAY_INDEX)");
  app.add_option("--each", flags.each, "One task per line of FILE, the line as arguments");
  app.add_flag("--wait", flags.wait, "Follow the task; exit with its exit code");
  app.add_flag("--cancel-on-interrupt", flags.cancel_on_interrupt,
               "With --wait: Ctrl-C cancels the task instead of detaching");
  app.add_flag("--parsable", flags.parsable, "Print only task ids, one a line");
  app.add_flag("--strict", flags.strict, "Refuse a task no registered node could ever run");
  app.add_flag("-y,--yes", flags.yes,
               "Do not ask before more tasks than [client] confirm_above (default 10000)");

  ia::cli::ToolSpec spec{"ia-submit", 2, {}};
  return ia::cli::run_tool(spec, app, common, argc, argv, [&]() -> ia::Result<int> {
    ia::Result<ia::config::Config> cfg = ia::cli::load_config(common, config_flags);
    if (!cfg) return std::move(cfg).error();
    ia::Result<ia::http::ClientOptions> client = ia::cli::client_options(*cfg);
    if (!client) return std::move(client).error();
    ia::Result<ia::client::SubmitRequest> request = ia::submit_tool::to_request(flags);
    if (!request) return std::move(request).error();
    if (!common.quiet && ia::submit_tool::stdin_left_behind(flags)) {
      std::fputs("ia-submit: standard input is not sent to the task; send it with --stdin - "
                 "(or --stdin FILE)\n", stderr);
    }
    ia::Result<std::vector<ia::api::TaskSpec>> specs = ia::client::expand(*request, k_max_tasks);
    if (!specs) return std::move(specs).error();
    ia::client::Scheduler scheduler(*client);
    ia::submit_tool::Output output{common.json, flags.parsable, common.quiet, flags.wait,
                                   flags.cancel_on_interrupt, flags.strict, flags.yes,
                                   cfg->integer("client.confirm_above")};
    return ia::submit_tool::submit_all(scheduler, *specs, output);
  });
}
