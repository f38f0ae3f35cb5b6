// ia-status's tables: each view is a list of columns read from the server's JSON, so
// --format can pick and order them by name.
#pragma once

#include <string>
#include <vector>

#include "client/scheduler.hpp"
#include "core/result.hpp"
#include "json/value.hpp"

namespace ia::status_tool {

// How a column's value reads for a person; --json keeps the server's numbers.
enum class Show {
  text,
  seconds,     // 90.5 -> "1m30s"
  mib,         // 16384 -> "16G"
  count_from_1,  // the server's attempt 0 is the first
  node_state,  // "idle" with the owner back reads "owner back"
};

struct Column {
  std::string name;    // --format name and header (upper-cased)
  std::string path;    // "status", "result.exit_code", "capacity.cpu"
  bool right = false;  // numbers align right
  Show show = Show::text;
};

const std::vector<Column>& task_columns();
const std::vector<Column>& node_columns();
const std::vector<Column>& queue_columns();
const std::vector<Column>& top_columns();

// The columns --format names, in its order; all defaults when format is empty.
Result<std::vector<Column>> pick(const std::vector<Column>& all, const std::string& format);

// A table of rows (JSON objects) in the given columns.
std::string render_rows(const std::vector<Column>& columns, const json::Value::Array& rows,
                        bool color);

// The overview from /v1/stats.
std::string render_overview(const json::Value& stats, bool color);

// One task in detail, as "key: value" lines.
std::string render_task(const json::Value& task);

// logs --json: {"task_id", "output", "stderr_ranges", "finished", "status"}.
std::string render_output_json(std::int64_t id, const client::OutputPiece& piece);

}  // namespace ia::status_tool
