#include "views.hpp"

#include <algorithm>

#include "api/output.hpp"
#include "cli/table.hpp"
#include "core/strings.hpp"

namespace ia::status_tool {
namespace {

const json::Value* at_path(const json::Value& row, const std::string& path) {
  const json::Value* value = &row;
  for (const std::string& part : split(path, '.')) {
    value = value->find(part);
    if (!value) return nullptr;
  }
  return value;
}

std::string text_of(const json::Value* value) {
  if (!value || value->is_null()) return "-";
  if (value->is_string()) return value->as_string().empty() ? "-" : value->as_string();
  if (value->is_double()) return format_decimal(value->as_double(), 2);
  if (value->is_array()) {
    std::vector<std::string> items;
    for (const json::Value& item : value->as_array()) items.push_back(text_of(&item));
    return items.empty() ? "-" : join(items, ",");
  }
  return json::serialize(*value);
}

cli::Color color_of(const std::string& state) {
  if (state == "succeeded" || state == "idle") return cli::Color::green;
  if (state == "failed" || state == "timed_out" || state == "offline") return cli::Color::red;
  if (state == "running" || state == "leased" || state == "busy") return cli::Color::blue;
  if (state == "cancelled") return cli::Color::dim;
  return cli::Color::none;
}

}  // namespace

const std::vector<Column>& task_columns() {
  static const std::vector<Column> k_columns = {
      {"id", "task_id", true},      {"state", "status"},          {"name", "name"},
      {"node", "node_id"},          {"exit", "result.exit_code", true},
      {"wall", "result.wall_time", true}, {"attempt", "attempt", true},
      {"priority", "priority", true}, {"owner", "owner"},         {"created", "created_at"},
      {"finished", "finished_at"},  {"reason", "result.reason"}};
  return k_columns;
}

const std::vector<Column>& node_columns() {
  static const std::vector<Column> k_columns = {
      {"node", "node_id"},          {"state", "status"},
      {"cpu", "capacity.cpu", true}, {"memory", "capacity.memory", true},
      {"gpu", "capacity.gpu", true}, {"running", "running"},
      {"completed", "completed", true}, {"compute", "compute_time", true},
      {"labels", "labels"},          {"heartbeat", "last_heartbeat"}};
  return k_columns;
}

const std::vector<Column>& queue_columns() {
  static const std::vector<Column> k_columns = {
      {"position", "position", true}, {"node", "node_id"}, {"score", "score", true},
      {"waiting", "wait_time", true}, {"band", "band"},     {"reason", "reason"}};
  return k_columns;
}

const std::vector<Column>& top_columns() {
  static const std::vector<Column> k_columns = {
      {"rank", "rank", true}, {"node", "node_id"}, {"completed", "completed", true},
      {"compute", "compute_time", true}};
  return k_columns;
}

Result<std::vector<Column>> pick(const std::vector<Column>& all, const std::string& format) {
  if (format.empty()) return all;
  std::vector<std::string> names;
  for (const Column& column : all) names.push_back(column.name);
  std::vector<Column> picked;
  for (const std::string& part : split(format, ',')) {
    std::string name(trim(part));
    auto it = std::find_if(all.begin(), all.end(), [&](const Column& c) { return c.name == name; });
    if (it == all.end()) {
      return make_error(ErrorCode::invalid_argument, "unknown column '" + name + "' in --format",
                        "columns here: " + join(names, ","));
    }
    picked.push_back(*it);
  }
  return picked;
}

std::string render_rows(const std::vector<Column>& columns, const json::Value::Array& rows,
                        bool color) {
  std::vector<std::string> headers;
  std::vector<bool> right;
  for (const Column& column : columns) {
    headers.push_back(to_upper(column.name));
    right.push_back(column.right);
  }
  cli::Table table(headers, right);
  for (const json::Value& row : rows) {
    std::vector<cli::Cell> cells;
    for (const Column& column : columns) {
      std::string text = text_of(at_path(row, column.path));
      cells.emplace_back(text, column.name == "state" ? color_of(text) : cli::Color::none);
    }
    table.add_row(std::move(cells));
  }
  return table.render(color);
}

std::string render_overview(const json::Value& stats, bool color) {
  auto number = [&](const std::string& path) {
    return escape_controls(text_of(at_path(stats, path)));
  };
  std::string out;
  out += cli::paint("tasks", cli::Color::bold, color) + "  " + number("tasks.queued") +
         " queued, " + number("tasks.running") + " running, " + number("tasks.succeeded") +
         " succeeded, " + number("tasks.failed") + " failed, " + number("tasks.timed_out") +
         " timed out, " + number("tasks.cancelled") + " cancelled (" + number("tasks.total") +
         " in all)\n";
  out += cli::paint("nodes", cli::Color::bold, color) + "  " + number("nodes.idle") + " idle, " +
         number("nodes.busy") + " busy, " + number("nodes.offline") + " offline\n";
  out += cli::paint("last hour", cli::Color::bold, color) + "  " + number("last_hour.tasks") +
         " tasks, " + number("last_hour.compute_hours") + " compute hours\n";
  out += cli::paint("capacity", cli::Color::bold, color) + "  " +
         number("capacity.free.cpu") + "/" + number("capacity.online.cpu") + " CPUs, " +
         number("capacity.free.gpu") + "/" + number("capacity.online.gpu") + " GPUs free\n";
  return out;
}

std::string render_task(const json::Value& task) {
  std::string out;
  for (const Column& column : task_columns()) {
    out += column.name + ": " + escape_controls(text_of(at_path(task, column.path))) + "\n";
  }
  out += "interpreter: " + escape_controls(text_of(task.find("interpreter"))) + "\n";
  return out;
}

std::string render_output_json(std::int64_t id, const client::OutputPiece& piece) {
  json::Writer out;
  out.begin_object().field("task_id", static_cast<long long>(id));
  api::write_output(out, "output", piece.data);
  out.field("finished", piece.finished).field("status", piece.status).end_object();
  return out.take();
}

}  // namespace ia::status_tool
