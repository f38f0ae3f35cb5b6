// ia-status: look at tasks, nodes, the fair queue and statistics of an ia-sched.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <thread>

#include "cli/client_options.hpp"
#include "cli/terminal.hpp"
#include "cli/tool.hpp"
#include "client/ending.hpp"
#include "client/follow.hpp"
#include "client/node_fit.hpp"
#include "client/scheduler.hpp"
#include "core/strings.hpp"
#include "views.hpp"

namespace {

using ia::Result;
using ia::json::Value;
namespace st = ia::status_tool;

struct Flags {
  std::vector<std::string> ids;
  std::string state, format, watch;
  std::int64_t limit = 50;
  std::int64_t after = 0;
  std::string log_id;
  bool follow = false;
};

Result<std::int64_t> task_id(const std::string& text) {
  long long id = 0;
  if (!ia::parse_int64(text, id) || id <= 0) {
    return ia::make_error(ia::ErrorCode::invalid_argument, "'" + text + "' is not a task id",
                          "task ids are positive whole numbers, as ia-submit printed them");
  }
  return id;
}

Result<std::string> rows_of(const Value* answer, const std::string& key,
                            const std::vector<st::Column>& all, const Flags& flags, bool json);

Result<std::string> rows_view(ia::client::Scheduler& scheduler, const std::string& path,
                              const std::string& key, const std::vector<st::Column>& all,
                              const Flags& flags, bool json) {
  Result<Value> answer = scheduler.get(path);
  if (!answer) return std::move(answer).error();
  return rows_of(&*answer, key, all, flags, json);
}

Result<std::string> rows_of(const Value* answer, const std::string& key,
                            const std::vector<st::Column>& all, const Flags& flags, bool json) {
  if (json) return ia::json::serialize(*answer) + "\n";
  Result<std::vector<st::Column>> columns = st::pick(all, flags.format);
  if (!columns) return std::move(columns).error();
  const Value* rows = answer->find(key);
  if (!rows || !rows->is_array()) {
    return ia::make_error(ia::ErrorCode::internal,
                          "the scheduler's answer has no '" + key + "' list",
                          "check that client.server names an ia-sched of this version");
  }
  return st::render_rows(*columns, rows->as_array(), ia::cli::use_color(1));
}

// What the task's state alone does not say: why a queued task waits, that a running one
// is frozen while its node's owner is back.
std::string situation(ia::client::Scheduler& scheduler, const Value& task) {
  std::string state = task.string_at("status");
  if (state == "queued") {
    std::string why = ia::client::unmatched_reason(scheduler, task);
    return why.empty() ? "" : "waiting: " + why + "\n";
  }
  std::string node = task.string_at("node_id");
  if ((state != "running" && state != "leased") || node.empty()) return "";
  Result<Value> answer = scheduler.get("/v1/nodes/" + node);
  if (!answer) return "";
  const Value* idle = answer->find("idle");
  if (!idle || !idle->is_bool() || idle->as_bool()) return "";
  return "frozen: the owner of " + ia::escape_controls(node) + " is back\n";
}

// The table, and on stderr where the listing stopped when there is more, so that no
// one takes the first page for all of it.
Result<std::string> tasks_view(ia::client::Scheduler& scheduler, const std::string& path,
                               const Flags& flags, const ia::cli::CommonOptions& common) {
  Result<Value> page = scheduler.get(path);
  if (!page) return std::move(page).error();
  Result<std::string> table = rows_of(&*page, "tasks", st::task_columns(), flags, common.json);
  if (!table || common.json || common.quiet) return table;
  const Value* next = page->find("next_after");
  if (next && next->is_int()) {
    std::fprintf(stderr,
                 "ia-status: showing %lld tasks; more with --after %lld (--limit up to 1000)\n",
                 static_cast<long long>(flags.limit), static_cast<long long>(next->as_int()));
  }
  return table;
}

Result<std::string> tasks_detail(ia::client::Scheduler& scheduler, const Flags& flags, bool json) {
  std::string out;
  for (const std::string& text : flags.ids) {
    Result<std::int64_t> id = task_id(text);
    if (!id) return std::move(id).error();
    Result<Value> task = scheduler.task(*id);
    if (!task) return std::move(task).error();
    out += json ? ia::json::serialize(*task) + "\n"
                : st::render_task(*task) + situation(scheduler, *task) + "\n";
  }
  if (!json && !out.empty()) out.pop_back();
  return out;
}

Result<int> logs(ia::client::Scheduler& scheduler, const Flags& flags, bool json) {
  Result<std::int64_t> id = task_id(flags.log_id);
  if (!id) return std::move(id).error();
  if (json) {
    Result<ia::client::OutputPiece> whole =
        ia::client::collect_output(scheduler, *id, flags.follow);
    if (!whole) return std::move(whole).error();
    std::printf("%s\n", st::render_output_json(*id, *whole).c_str());
    return 0;
  }
  if (!flags.follow) {
    Result<ia::client::OutputPiece> piece = scheduler.output(*id, 0, 0);
    if (!piece) return std::move(piece).error();
    ia::client::write_output(piece->data, stdout, stderr);
    if (!piece->finished) return 0;
  }
  Result<Value> task = flags.follow ? ia::client::follow(scheduler, *id, {})
                                    : scheduler.task(*id);
  if (!task) return std::move(task).error();
  std::fflush(stdout);
  std::fputs(ia::client::ending_note("ia-status", *task).c_str(), stderr);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ia::http::global_init();
  CLI::App app{"ia-status: tasks, nodes, the fair queue and statistics of the pool.\n"
               "With no arguments: an overview. With task ids: those tasks in detail."};
  ia::cli::CommonOptions common;
  ia::cli::add_common_flags(app, common, "ia-status");
  std::vector<ia::cli::ConfigFlag> config_flags = ia::cli::client_flags();
  ia::cli::add_config_flags(app, config_flags);
  Flags flags;
  app.fallthrough();
  app.add_option("ids", flags.ids, "Task ids to show in detail");
  app.add_option("--watch", flags.watch, "Redraw every D (e.g. 2s) until interrupted");
  app.add_option("--format", flags.format, "Columns to show, comma-separated");
  CLI::App* tasks = app.add_subcommand("tasks", "List tasks");
  tasks->add_option("--state", flags.state, "Only tasks in this state");
  // The scheduler's own page limit; --after pages on from where a listing stopped.
  tasks->add_option("--limit", flags.limit, "At most this many (1 to 1000; default 50)")
      ->check(CLI::Range(1, 1000));
  tasks->add_option("--after", flags.after, "Only tasks with a higher id (the next page)")
      ->check(CLI::Range(std::int64_t{0}, INT64_MAX));
  CLI::App* nodes = app.add_subcommand("nodes", "List nodes");
  CLI::App* queue = app.add_subcommand("queue", "The fair queue of waiting nodes, with reasons");
  CLI::App* top = app.add_subcommand("top", "Nodes by completed tasks and compute time");
  CLI::App* logs_cmd = app.add_subcommand("logs", "A task's output");
  logs_cmd->add_option("id", flags.log_id, "Task id")->required();
  logs_cmd->add_flag("-f,--follow", flags.follow, "Keep printing until the task ends");

  ia::cli::ToolSpec spec{"ia-status", 2, {}};
  return ia::cli::run_tool(spec, app, common, argc, argv, [&]() -> Result<int> {
    Result<ia::config::Config> cfg = ia::cli::load_config(common, config_flags);
    if (!cfg) return std::move(cfg).error();
    Result<ia::http::ClientOptions> client = ia::cli::client_options(*cfg);
    if (!client) return std::move(client).error();
    ia::client::Scheduler scheduler(*client);
    if (logs_cmd->parsed()) return logs(scheduler, flags, common.json);
    auto render = [&]() -> Result<std::string> {
      if (tasks->parsed()) {
        std::string path = "/v1/tasks?limit=" + std::to_string(flags.limit) +
                           "&after=" + std::to_string(flags.after);
        if (!flags.state.empty()) {
          IA_TRY(ia::client::check_task_state(flags.state));
          path += "&status=" + flags.state;
        }
        return tasks_view(scheduler, path, flags, common);
      }
      if (nodes->parsed()) {
        return rows_view(scheduler, "/v1/nodes", "nodes", st::node_columns(), flags, common.json);
      }
      if (queue->parsed()) {
        return rows_view(scheduler, "/v1/stats/nodes/queue", "nodes", st::queue_columns(), flags,
                         common.json);
      }
      if (top->parsed()) {
        return rows_view(scheduler, "/v1/stats/nodes/top", "nodes", st::top_columns(), flags,
                         common.json);
      }
      if (!flags.ids.empty()) return tasks_detail(scheduler, flags, common.json);
      Result<Value> stats = scheduler.get("/v1/stats");
      if (!stats) return std::move(stats).error();
      if (common.json) return ia::json::serialize(*stats) + "\n";
      return st::render_overview(*stats, ia::cli::use_color(1));
    };
    ia::Millis every{0};
    if (!flags.watch.empty()) {
      Result<ia::Millis> parsed = ia::parse_duration(flags.watch);
      if (!parsed) return std::move(parsed).error();
      if (parsed->count() < 100) {
        return ia::make_error(ia::ErrorCode::invalid_argument, "--watch must be at least 100ms");
      }
      every = *parsed;
    }
    while (true) {
      Result<std::string> text = render();
      if (!text) return std::move(text).error();
      bool redraw = every.count() > 0 && !common.json && ia::cli::is_terminal(1);
      if (redraw) std::fputs("\033[H\033[2J", stdout);
      std::fputs(text->c_str(), stdout);
      std::fflush(stdout);
      if (every.count() == 0) return 0;
      std::this_thread::sleep_for(every);
    }
  });
}
