// ia-node status: what the local agent last wrote to its status file, and whether it
// still runs.
#include <cstdio>

#include "cli/table.hpp"
#include "commands.hpp"
#include "core/file.hpp"
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
  table.add_row({"tasks", text_of(*status, "running")});
  std::fputs(table.render(cli::use_color(1)).c_str(), stdout);
  return alive ? 0 : 1;
}

}  // namespace ia::node_tool
