#include "views.hpp"

#include <algorithm>

#include "api/output.hpp"
#include "cli/table.hpp"
#include "core/strings.hpp"
#include "core/units.hpp"

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

double number_of(const json::Value* value) {
  if (value && value->is_int()) return static_cast<double>(value->as_int());
  return value && value->is_double() ? value->as_double() : 0;
}

bool is_number(const json::Value* value) { return value && (value->is_int() || value->is_double()); }

// A node whose agent reports the owner back is not free, whatever its leases say: its
// tasks are frozen, and it takes no new ones.
std::string node_state(const json::Value& row) {
  std::string state = text_of(row.find("status"));
  const json::Value* idle = row.find("idle");
  bool owner_back = idle && idle->is_bool() && !idle->as_bool();
  if (!owner_back || state == "offline") return state;
  return state == "busy" ? "owner back, frozen" : "owner back";
}

std::string cell_text(const Column& column, const json::Value& row) {
  const json::Value* value = at_path(row, column.path);
  // A finished task's reason is in its result; a waiting one's (vacated) beside its state.
  if (column.path == "reason" && !value) value = at_path(row, "result.reason");
  switch (column.show) {
    case Show::seconds:
      if (!is_number(value)) break;
      return format_duration(Millis(static_cast<std::int64_t>(number_of(value) * 1000 + 0.5)));
    case Show::mib:
      if (!is_number(value)) break;
      return format_bytes(static_cast<std::uint64_t>(number_of(value)) << 20);
    case Show::count_from_1:
      if (!value || !value->is_int()) break;
      return std::to_string(value->as_int() + 1);
    case Show::node_state:
      return node_state(row);
    case Show::text:
      break;
  }
  return text_of(value);
}

}  // namespace

const std::vector<Column>& task_columns() {
  static const std::vector<Column> k_columns = {
      {"id", "task_id", true},      {"state", "status"},          {"name", "name"},
      {"node", "node_id"},          {"exit", "result.exit_code", true},
      {"wall", "result.wall_time", true, Show::seconds},
      {"attempt", "attempt", true, Show::count_from_1},
      {"priority", "priority", true}, {"owner", "owner"},         {"created", "created_at"},
      {"finished", "finished_at"},  {"reason", "reason"}};
  return k_columns;
}

const std::vector<Column>& node_columns() {
  static const std::vector<Column> k_columns = {
      {"node", "node_id"},          {"state", "status", false, Show::node_state},
      {"cpu", "capacity.cpu", true}, {"memory", "capacity.memory", true, Show::mib},
      {"gpu", "capacity.gpu", true}, {"running", "running"},
      {"completed", "completed", true}, {"compute", "compute_time", true, Show::seconds},
      {"labels", "labels"},          {"heartbeat", "last_heartbeat"}};
  return k_columns;
}

const std::vector<Column>& queue_columns() {
  static const std::vector<Column> k_columns = {
      {"position", "position", true}, {"node", "node_id"}, {"score", "score", true},
      {"waiting", "wait_time", true, Show::seconds}, {"band", "band"},     {"reason", "reason"}};
  return k_columns;
}

const std::vector<Column>& top_columns() {
  static const std::vector<Column> k_columns = {
      {"rank", "rank", true}, {"node", "node_id"}, {"completed", "completed", true},
      {"compute", "compute_time", true, Show::seconds}};
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
      std::string text = cell_text(column, row);
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
  // Leased tasks are starting on a node: left out, a busy node would show "0 running".
  out += cli::paint("tasks", cli::Color::bold, color) + "  " + number("tasks.queued") +
         " queued, " + number("tasks.leased") + " leased, " + number("tasks.running") +
         " running, " + number("tasks.succeeded") + " succeeded, " + number("tasks.failed") +
         " failed, " + number("tasks.timed_out") + " timed out, " + number("tasks.cancelled") +
         " cancelled (" + number("tasks.total") + " in all)\n";
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
    out += column.name + ": " + escape_controls(cell_text(column, task)) + "\n";
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
