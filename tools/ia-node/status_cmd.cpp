// ia-node status: what the local agent last wrote to its status file, and whether it
// still runs.
#include <cstdio>

#include "cli/table.hpp"
#include "commands.hpp"
#include "core/file.hpp"
#include "core/strings.hpp"
#include "json/value.hpp"
#include "node/state_lock.hpp"

namespace ia::node_tool {
namespace {

std::string text_of(const json::Value& status, std::string_view key) {
  const json::Value* value = status.find(key);
  if (!value) return "";
  if (value->is_string()) return value->as_string();
  return json::serialize(*value);
}

// "7 (frozen, GPU 0), 9" rather than the status file's JSON; "-" when none runs.
std::string tasks_text(const json::Value& status) {
  const json::Value* running = status.find("running");
  if (!running || !running->is_array() || running->as_array().empty()) return "-";
  std::vector<std::string> items;
  for (const json::Value& task : running->as_array()) {
    const json::Value* id = task.find("task_id");
    std::string item = id && id->is_int() ? std::to_string(id->as_int()) : "?";
    std::vector<std::string> notes;
    if (const json::Value* frozen = task.find("frozen"); frozen && frozen->is_bool() &&
                                                        frozen->as_bool()) {
      notes.push_back("frozen");
    }
    if (const json::Value* gpus = task.find("gpus"); gpus && gpus->is_array()) {
      for (const json::Value& gpu : gpus->as_array()) notes.push_back("GPU " + json::serialize(gpu));
    }
    if (!notes.empty()) item += " (" + join(notes, ", ") + ")";
    items.push_back(item);
  }
  return join(items, ", ");
}

}  // namespace

Result<int> show_status(const config::Config& cfg, bool json) {
  Result<std::string> state_dir = node_state_dir(cfg);
  if (!state_dir) return std::move(state_dir).error();
  std::string path = *state_dir + "/status.json";
  Result<std::string> text = read_file(path);
  if (!text) {
    return make_error(ErrorCode::not_found, "no agent status at " + path,
                      "start one with 'ia-node run', or name its --state-dir");
  }
  Result<json::Value> status = json::parse(*text);
  if (!status || !status->is_object()) {
    return make_error(ErrorCode::internal, path + " is not a status file");
  }
  // The lock, not the pid in the file: that pid may since belong to another process.
  std::optional<pid_t> holder = node::StateLock::holder(*state_dir);
  bool alive = holder.has_value();
  status->set("running_now", alive);
  if (json) {
    std::printf("%s\n", json::serialize(*status).c_str());
    return alive ? 0 : 1;
  }
  cli::Table table({"FIELD", "VALUE"});
  for (const char* key : {"node_id", "state", "machine_idle", "busy_reason",
                          "scheduler_reachable", "slots", "spooled_results", "updated"}) {
    table.add_row({key, text_of(*status, key)});
  }
  table.add_row({"agent", alive ? "running (pid " + std::to_string(*holder) + ")" : "not running"});
  table.add_row({"tasks", tasks_text(*status)});
  std::fputs(table.render(cli::use_color(1)).c_str(), stdout);
  return alive ? 0 : 1;
}

}  // namespace ia::node_tool
