// ia-cancel: cancel tasks by id, or every task in a state or with a matching name.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <set>

#include "cli/client_options.hpp"
#include "cli/exit_codes.hpp"
#include "cli/tool.hpp"
#include "client/scheduler.hpp"
#include "core/strings.hpp"

namespace {

using ia::Result;
using ia::json::Value;

// The ids named, each once: a task named twice is cancelled once.
Result<std::vector<std::int64_t>> named_ids(const std::vector<std::string>& ids) {
  std::vector<std::int64_t> out;
  std::set<std::int64_t> seen;
  for (const std::string& text : ids) {
    long long id = 0;
    if (!ia::parse_int64(text, id) || id <= 0) {
      return ia::make_error(ia::ErrorCode::invalid_argument, "'" + text + "' is not a task id");
    }
    if (seen.insert(id).second) out.push_back(id);
  }
  return out;
}

// --state / --name: one request; the scheduler cancels what matches when it gets it, so a
// task that ended since it was listed anywhere is no error. The number cancelled.
Result<std::size_t> cancel_by_filter(ia::client::Scheduler& scheduler, const std::string& state,
                                     const std::string& name, const ia::cli::CommonOptions& common) {
  Result<Value> answer = scheduler.cancel_matching(state, name);
  if (!answer) return std::move(answer).error();
  std::size_t count = answer->find("cancelled")->as_array().size();
  if (common.json) {
    std::printf("%s\n", ia::json::serialize(*answer).c_str());
  } else if (count == 0 && !common.quiet) {
    std::fprintf(stderr, "ia-cancel: no task matched\n");
  } else if (!common.quiet) {
    std::printf("cancelled %zu task%s\n", count, count == 1 ? "" : "s");
  }
  return count;
}

// The task, when a refused cancel was refused because it is cancelled already (another
// ia-cancel got there between the listing and now): that is what was asked for.
std::optional<Value> already_cancelled(ia::client::Scheduler& scheduler, std::int64_t id,
                                       const ia::Error& refusal) {
  if (refusal.code != ia::ErrorCode::conflict) return std::nullopt;
  Result<Value> task = scheduler.task(id);
  if (!task || task->string_at("status") != "cancelled") return std::nullopt;
  return std::move(task).value();
}

}  // namespace

int main(int argc, char** argv) {
  ia::http::global_init();
  CLI::App app{"ia-cancel: cancel tasks. Queued tasks end at once; running ones are killed\n"
               "on their node at its next heartbeat."};
  ia::cli::CommonOptions common;
  ia::cli::add_common_flags(app, common, "ia-cancel");
  std::vector<ia::cli::ConfigFlag> config_flags = ia::cli::client_flags();
  ia::cli::add_config_flags(app, config_flags);
  std::vector<std::string> ids;
  std::string state, name;
  app.add_option("ids", ids, "Task ids");
  app.add_option("--state", state, "Cancel every unfinished task in this state (queued, running)");
  app.add_option("--name", name, "Cancel every unfinished task whose name matches (glob)");

  ia::cli::ToolSpec spec{"ia-cancel", 2, {}};
  return ia::cli::run_tool(spec, app, common, argc, argv, [&]() -> Result<int> {
    if (ids.empty() && state.empty() && name.empty()) {
      return ia::make_error(ia::ErrorCode::invalid_argument, "nothing to cancel",
                            "name task ids, or --state / --name to pick tasks");
    }
    Result<ia::config::Config> cfg = ia::cli::load_config(common, config_flags);
    if (!cfg) return std::move(cfg).error();
    Result<ia::http::ClientOptions> client = ia::cli::client_options(*cfg);
    if (!client) return std::move(client).error();
    ia::client::Scheduler scheduler(*client);
    Result<std::vector<std::int64_t>> picked = named_ids(ids);
    if (!picked) return std::move(picked).error();
    int failures = 0;
    ia::Error last;
    for (std::int64_t id : *picked) {
      Result<Value> task = scheduler.cancel(id);
      std::optional<Value> before =
          task ? std::nullopt : already_cancelled(scheduler, id, task.error());
      if (!task && !before) {
        last = task.error();
        ++failures;
        ia::cli::print_error("ia-cancel", task.error(), common.json);
        continue;
      }
      const Value& shown = task ? *task : *before;
      if (common.json) {
        std::printf("%s\n", ia::json::serialize(shown).c_str());
      } else if (before && !common.quiet) {
        std::printf("task %lld was already cancelled\n", static_cast<long long>(id));
      } else if (!common.quiet) {
        std::printf("cancelled task %lld (%s)\n", static_cast<long long>(id),
                    ia::escape_controls(shown.string_at("status")).c_str());
      }
    }
    if (!state.empty() || !name.empty()) {
      Result<std::size_t> matched = cancel_by_filter(scheduler, state, name, common);
      if (!matched) {
        last = matched.error();
        ++failures;
        ia::cli::print_error("ia-cancel", matched.error(), common.json);
      }
    }
    if (failures == 0) return 0;
    return ia::cli::client_exit_code(last);
  });
}
