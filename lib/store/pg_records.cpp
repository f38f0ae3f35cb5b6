#include "store/pg_records.hpp"

#include <array>
#include <string_view>
#include <utility>

#include "core/strings.hpp"
#include "store/stored_spec.hpp"

namespace ia::store {
namespace {

const std::string k_upsert_task = "ia_upsert_task";
const std::string k_insert_output = "ia_insert_output";
const std::string k_upsert_node = "ia_upsert_node";
const std::string k_upsert_token = "ia_upsert_token";

const std::array<std::pair<const std::string*, std::string_view>, 4> k_statements{{
    {&k_upsert_task,
     "INSERT INTO tasks (id, state, spec, attempt, created_ms, started_ms, finished_ms, "
     "node_id, lease_id, lease_expires_ms, exit_code, wall_s, reason, truncated, "
     "cancel_requested) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) "
     "ON CONFLICT (id) DO UPDATE SET state = excluded.state, spec = excluded.spec, "
     "attempt = excluded.attempt, created_ms = excluded.created_ms, "
     "started_ms = excluded.started_ms, finished_ms = excluded.finished_ms, "
     "node_id = excluded.node_id, lease_id = excluded.lease_id, "
     "lease_expires_ms = excluded.lease_expires_ms, exit_code = excluded.exit_code, "
     "wall_s = excluded.wall_s, reason = excluded.reason, truncated = excluded.truncated, "
     "cancel_requested = excluded.cancel_requested"},
    // A retried append repeats a chunk at the same offset; the later copy wins, as in
    // the SQLite backend.
    {&k_insert_output,
     "INSERT INTO task_output (task_id, byte_offset, data, from_stderr) VALUES ($1,$2,$3,$4) "
     "ON CONFLICT (task_id, byte_offset) DO UPDATE SET data = excluded.data, "
     "from_stderr = excluded.from_stderr"},
    {&k_upsert_node,
     "INSERT INTO nodes (id, cpu, memory_mib, gpu, labels, first_seen_ms, last_heartbeat_ms, "
     "completed, compute_s, last_served_ms, owner) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) "
     "ON CONFLICT (id) DO UPDATE SET cpu = excluded.cpu, memory_mib = excluded.memory_mib, "
     "gpu = excluded.gpu, labels = excluded.labels, first_seen_ms = excluded.first_seen_ms, "
     "last_heartbeat_ms = excluded.last_heartbeat_ms, completed = excluded.completed, "
     "compute_s = excluded.compute_s, last_served_ms = excluded.last_served_ms, "
     "owner = excluded.owner"},
    {&k_upsert_token,
     "INSERT INTO tokens (name, role, hash, created_ms, revoked) VALUES ($1,$2,$3,$4,$5) "
     "ON CONFLICT (name) DO UPDATE SET role = excluded.role, hash = excluded.hash, "
     "created_ms = excluded.created_ms, revoked = excluded.revoked"},
}};

Status run(PgConn& conn, const std::string& statement, const PgParams& params) {
  Result<PgRows> rows = conn.run(statement, params);
  if (!rows) return std::move(rows).error();
  return {};
}

PgParams task_params(const api::Task& task) {
  PgParams p;
  p.add(task.id).add(api::to_string(task.state)).add(spec_text(task.spec)).add(task.attempt);
  p.add(task.created_ms).add(task.started_ms).add(task.finished_ms).add(task.node_id);
  p.add(task.lease_id).add(task.lease_expires_ms);
  if (task.exit_code) {
    p.add(*task.exit_code);
  } else {
    p.add_null();
  }
  p.add(task.wall_s).add(task.reason).add(task.output_truncated).add(task.cancel_requested);
  return p;
}

PgParams node_params(const NodeRecord& node) {
  PgParams p;
  p.add(node.id).add(node.capacity.cpu).add(node.capacity.memory_mib).add(node.capacity.gpu);
  p.add(join(node.labels, "\n")).add(node.first_seen_ms).add(node.last_heartbeat_ms);
  p.add(node.completed).add(node.compute_s).add(node.last_served_ms).add(node.owner);
  return p;
}

Status read_tasks(PgConn& conn, Snapshot& snapshot) {
  Result<PgRows> rows = conn.query(
      "SELECT id, state, spec, attempt, created_ms, started_ms, finished_ms, node_id, "
      "lease_id, lease_expires_ms, exit_code, wall_s, reason, truncated, cancel_requested "
      "FROM tasks ORDER BY id");
  if (!rows) return std::move(rows).error();
  for (int r = 0; r < rows->count(); ++r) {
    api::Task task;
    task.id = rows->int64(r, 0);
    std::optional<api::TaskState> state = api::parse_task_state(rows->bytes(r, 1));
    Result<api::TaskSpec> spec = parse_stored_spec(rows->bytes(r, 2));
    if (!state || !spec) {
      return make_error(ErrorCode::io, "store " + conn.name() + ": task " +
                                           std::to_string(task.id) + " is unreadable");
    }
    task.state = *state;
    task.spec = std::move(*spec);
    task.attempt = rows->int64(r, 3);
    task.created_ms = rows->int64(r, 4);
    task.started_ms = rows->int64(r, 5);
    task.finished_ms = rows->int64(r, 6);
    task.node_id = rows->bytes(r, 7);
    task.lease_id = rows->int64(r, 8);
    task.lease_expires_ms = rows->int64(r, 9);
    if (!rows->is_null(r, 10)) task.exit_code = rows->int64(r, 10);
    task.wall_s = rows->real(r, 11);
    task.reason = rows->bytes(r, 12);
    task.output_truncated = rows->boolean(r, 13);
    task.cancel_requested = rows->boolean(r, 14);
    snapshot.tasks.push_back(std::move(task));
  }
  return {};
}

Status read_output(PgConn& conn, Snapshot& snapshot) {
  Result<PgRows> rows = conn.query(
      "SELECT task_id, byte_offset, data, from_stderr FROM task_output "
      "ORDER BY task_id, byte_offset");
  if (!rows) return std::move(rows).error();
  std::size_t index = 0;
  for (int r = 0; r < rows->count(); ++r) {
    std::int64_t id = rows->int64(r, 0);
    while (index < snapshot.tasks.size() && snapshot.tasks[index].id < id) ++index;
    if (index == snapshot.tasks.size() || snapshot.tasks[index].id != id) continue;
    api::TaggedOutput& output = snapshot.tasks[index].output;
    // Only a chunk that continues the text counts, as the SQLite backend reads it.
    if (static_cast<std::size_t>(rows->int64(r, 1)) == output.size()) {
      output.append(rows->bytes(r, 2), rows->boolean(r, 3));
    }
  }
  return {};
}

Status read_nodes(PgConn& conn, Snapshot& snapshot) {
  Result<PgRows> rows = conn.query(
      "SELECT id, cpu, memory_mib, gpu, labels, first_seen_ms, last_heartbeat_ms, completed, "
      "compute_s, last_served_ms, owner FROM nodes ORDER BY id COLLATE \"C\"");
  if (!rows) return std::move(rows).error();
  for (int r = 0; r < rows->count(); ++r) {
    NodeRecord node;
    node.id = rows->bytes(r, 0);
    node.capacity = api::Resources{rows->real(r, 1), rows->int64(r, 2), rows->int64(r, 3)};
    std::string labels = rows->bytes(r, 4);
    if (!labels.empty()) node.labels = split(labels, '\n');
    node.first_seen_ms = rows->int64(r, 5);
    node.last_heartbeat_ms = rows->int64(r, 6);
    node.completed = rows->int64(r, 7);
    node.compute_s = rows->real(r, 8);
    node.last_served_ms = rows->int64(r, 9);
    node.owner = rows->bytes(r, 10);
    snapshot.nodes.push_back(std::move(node));
  }
  return {};
}

}  // namespace

Status prepare_upserts(PgConn& conn) {
  for (const auto& [name, sql] : k_statements) IA_TRY(conn.prepare(*name, sql));
  return {};
}

Status write_batch(PgConn& conn, const Batch& batch) {
  for (const api::Task& task : batch.tasks) IA_TRY(run(conn, k_upsert_task, task_params(task)));
  for (const OutputAppend& chunk : batch.outputs) {
    PgParams p;
    p.add(chunk.task_id).add(chunk.offset).add(std::string_view(chunk.data)).add(chunk.from_stderr);
    IA_TRY(run(conn, k_insert_output, p));
  }
  for (const NodeRecord& node : batch.nodes) IA_TRY(run(conn, k_upsert_node, node_params(node)));
  for (const TokenRecord& token : batch.tokens) {
    PgParams p;
    p.add(token.name).add(token.role).add(token.hash).add(token.created_ms).add(token.revoked);
    IA_TRY(run(conn, k_upsert_token, p));
  }
  return {};
}

Result<Snapshot> read_snapshot(PgConn& conn) {
  // One REPEATABLE READ transaction: tasks and their output from the same moment.
  IA_TRY(conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  Snapshot snapshot;
  Status read = read_tasks(conn, snapshot);
  if (read) read = read_output(conn, snapshot);
  if (read) read = read_nodes(conn, snapshot);
  Result<std::vector<TokenRecord>> tokens =
      read ? read_tokens(conn) : Result<std::vector<TokenRecord>>(read.error());
  (void)conn.exec(tokens ? "COMMIT" : "ROLLBACK");
  IA_TRY(tokens);
  snapshot.tokens = std::move(*tokens);
  return snapshot;
}

Result<std::vector<TokenRecord>> read_tokens(PgConn& conn) {
  Result<PgRows> rows =
      conn.query("SELECT name, role, hash, created_ms, revoked FROM tokens ORDER BY name");
  if (!rows) return std::move(rows).error();
  std::vector<TokenRecord> tokens;
  for (int r = 0; r < rows->count(); ++r) {
    tokens.push_back(TokenRecord{rows->bytes(r, 0), rows->bytes(r, 1), rows->bytes(r, 2),
                                 rows->int64(r, 3), rows->boolean(r, 4)});
  }
  return tokens;
}

}  // namespace ia::store
