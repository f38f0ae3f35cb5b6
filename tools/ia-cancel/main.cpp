// ia-cancel: cancel tasks by id, or every task in a state or with a matching name.
#include <CLI/CLI.hpp>
#include <fnmatch.h>

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

// Ids of every task matching --state and --name, walking the paginated list.
Result<std::vector<std::int64_t>> matching(ia::client::Scheduler& scheduler,
                                           const std::string& state, const std::string& name) {
  std::vector<std::int64_t> ids;
  std::int64_t after = 0;
  while (true) {
    Result<Value> page = scheduler.list(state, 500, after);
    if (!page) return std::move(page).error();
    for (const Value& task : page->find("tasks")->as_array()) {
      const Value* id = task.find("task_id");
      if (!id || !id->is_int()) continue;
      std::string status = task.string_at("status");
      bool open = !ia::client::is_finished_state(status);
      bool named = name.empty() || fnmatch(name.c_str(), task.string_at("name").c_str(), 0) == 0;
      if (open && named) ids.push_back(id->as_int());
    }
    const Value* next = page->find("next_after");
    if (!next || !next->is_int()) break;
    // A cursor that stands still would fetch the same page forever.
    if (next->as_int() <= after) {
      return ia::make_error(
          ia::ErrorCode::internal,
          "the scheduler's task list did not move on past task " + std::to_string(after),
          "check that client.server names an ia-sched of this version");
    }
    after = next->as_int();
  }
  return ids;
}

// The ids named, then those matched, each once: a task named twice, or named and matched,
// is cancelled once.
Result<std::vector<std::int64_t>> targets(ia::client::Scheduler& scheduler,
                                          const std::vector<std::string>& ids,
                                          const std::string& state, const std::string& name) {
  std::vector<std::int64_t> out;
  std::set<std::int64_t> seen;
  auto add = [&](std::int64_t id) {
    if (seen.insert(id).second) out.push_back(id);
  };
  for (const std::string& text : ids) {
    long long id = 0;
    if (!ia::parse_int64(text, id) || id <= 0) {
      return ia::make_error(ia::ErrorCode::invalid_argument, "'" + text + "' is not a task id");
    }
    add(id);
  }
  if (!state.empty() || !name.empty()) {
    Result<std::vector<std::int64_t>> found = matching(scheduler, state, name);
    if (!found) return std::move(found).error();
    for (std::int64_t id : *found) add(id);
  }
  return out;
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
    Result<std::vector<std::int64_t>> picked = targets(scheduler, ids, state, name);
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
    if (picked->empty() && !common.quiet) std::fprintf(stderr, "ia-cancel: no task matched\n");
    if (failures == 0) return 0;
    return ia::cli::client_exit_code(last);
  });
}
