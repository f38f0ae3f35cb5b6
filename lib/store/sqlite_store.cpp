#include "store/sqlite_store.hpp"

#include <deque>
#include <mutex>

#include "api/fields.hpp"
#include "core/strings.hpp"
#include "store/group_writer.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_schema.hpp"
#include "store/stored_spec.hpp"

namespace ia::store {
namespace {

constexpr std::string_view k_upsert_task =
    "INSERT OR REPLACE INTO tasks (id, state, spec, attempt, created_ms, started_ms, "
    "finished_ms, node_id, lease_id, lease_expires_ms, exit_code, wall_s, reason, truncated, "
    "cancel_requested) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)";
constexpr std::string_view k_insert_output =
    "INSERT OR REPLACE INTO task_output (task_id, offset, data, from_stderr) "
    "VALUES (?1, ?2, ?3, ?4)";
constexpr std::string_view k_upsert_node =
    "INSERT OR REPLACE INTO nodes (id, cpu, memory_mib, gpu, labels, first_seen_ms, "
    "last_heartbeat_ms, completed, compute_s, last_served_ms, owner) VALUES (?1,?2,?3,?4,?5,?6,"
    "?7,?8,?9,?10,?11)";
constexpr std::string_view k_upsert_token =
    "INSERT OR REPLACE INTO tokens (name, role, hash, created_ms, revoked) VALUES "
    "(?1,?2,?3,?4,?5)";

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(Db db) : m_db(std::move(db)) {}
  ~SqliteStore() override { close(); }

  Status prepare() {
    Result<Statement> task = m_db.prepare(k_upsert_task);
    if (!task) return task.error();
    Result<Statement> output = m_db.prepare(k_insert_output);
    if (!output) return output.error();
    Result<Statement> node = m_db.prepare(k_upsert_node);
    if (!node) return node.error();
    Result<Statement> token = m_db.prepare(k_upsert_token);
    if (!token) return token.error();
    m_upsert_task = std::move(*task);
    m_insert_output = std::move(*output);
    m_upsert_node = std::move(*node);
    m_upsert_token = std::move(*token);
    m_writer.start([this](const std::deque<PendingWrite>& group) { return commit(group); });
    return {};
  }

  Result<Snapshot> load() override {
    std::lock_guard lock(m_db_mutex);
    Snapshot snapshot;
    IA_TRY(load_tasks(snapshot));
    IA_TRY(load_output(snapshot));
    IA_TRY(load_nodes(snapshot));
    Result<std::vector<TokenRecord>> tokens = load_tokens();
    IA_TRY(tokens);
    snapshot.tokens = std::move(*tokens);
    return snapshot;
  }

  void write(Batch batch, WriteDone done) override {
    m_writer.write(std::move(batch), std::move(done));
  }

  void resume() override { m_writer.resume(); }

  Result<std::vector<TokenRecord>> tokens() override {
    std::lock_guard lock(m_db_mutex);
    return load_tokens();
  }

  void close() override { m_writer.stop(); }

  std::string url() const override { return "sqlite://" + m_db.path(); }

 private:
  Status commit(const std::deque<PendingWrite>& group) {
    std::lock_guard lock(m_db_mutex);
    IA_TRY(m_db.exec("BEGIN IMMEDIATE"));
    for (const PendingWrite& pending : group) {
      if (Status applied = apply(pending.batch); !applied) {
        (void)m_db.exec("ROLLBACK");
        return applied;
      }
    }
    // A COMMIT refused (a full disk) leaves the transaction open on this connection,
    // where the reread after the outage would see its unsaved rows.
    Status committed = m_db.exec("COMMIT");
    if (!committed) (void)m_db.exec("ROLLBACK");
    return committed;
  }

  Status apply(const Batch& batch) {
    for (const api::Task& task : batch.tasks) IA_TRY(upsert(task));
    for (const OutputAppend& chunk : batch.outputs) {
      IA_TRY(m_insert_output.bind(1, chunk.task_id).bind(2, chunk.offset)
                 .bind_blob(3, chunk.data).bind(4, std::int64_t{chunk.from_stderr}).run());
    }
    for (const NodeRecord& node : batch.nodes) {
      m_upsert_node.bind(1, node.id).bind(2, node.capacity.cpu)
          .bind(3, node.capacity.memory_mib).bind(4, node.capacity.gpu)
          .bind(5, join(node.labels, "\n")).bind(6, node.first_seen_ms)
          .bind(7, node.last_heartbeat_ms).bind(8, node.completed).bind(9, node.compute_s)
          .bind(10, node.last_served_ms).bind(11, node.owner);
      IA_TRY(m_upsert_node.run());
    }
    for (const TokenRecord& token : batch.tokens) {
      m_upsert_token.bind(1, token.name).bind(2, token.role).bind(3, token.hash)
          .bind(4, token.created_ms).bind(5, std::int64_t{token.revoked});
      IA_TRY(m_upsert_token.run());
    }
    return {};
  }

  Status upsert(const api::Task& task) {
    std::string spec = spec_text(task.spec);
    Statement& s = m_upsert_task;
    s.bind(1, task.id)
        .bind(2, api::to_string(task.state))
        .bind(3, spec)
        .bind(4, task.attempt)
        .bind(5, task.created_ms)
        .bind(6, task.started_ms)
        .bind(7, task.finished_ms)
        .bind(8, task.node_id)
        .bind(9, task.lease_id)
        .bind(10, task.lease_expires_ms);
    if (task.exit_code) {
      s.bind(11, *task.exit_code);
    } else {
      s.bind_null(11);
    }
    s.bind(12, task.wall_s).bind(13, task.reason).bind(14, std::int64_t{task.output_truncated})
        .bind(15, std::int64_t{task.cancel_requested});
    return s.run();
  }

  Status load_tasks(Snapshot& snapshot) {
    Result<Statement> stmt = m_db.prepare(
        "SELECT id, state, spec, attempt, created_ms, started_ms, finished_ms, node_id, "
        "lease_id, lease_expires_ms, exit_code, wall_s, reason, truncated, cancel_requested "
        "FROM tasks ORDER BY id");
    if (!stmt) return stmt.error();
    for (;;) {
      Result<bool> row = stmt->step();
      IA_TRY(row);
      if (!*row) return {};
      api::Task task;
      task.id = stmt->int64(0);
      std::optional<api::TaskState> state = api::parse_task_state(stmt->text(1));
      Result<api::TaskSpec> spec = parse_stored_spec(stmt->text(2));
      if (!state || !spec) {
        return make_error(ErrorCode::io, "store " + m_db.path() + ": task " +
                                             std::to_string(task.id) + " is unreadable");
      }
      task.state = *state;
      task.spec = std::move(*spec);
      task.attempt = stmt->int64(3);
      task.created_ms = stmt->int64(4);
      task.started_ms = stmt->int64(5);
      task.finished_ms = stmt->int64(6);
      task.node_id = stmt->text(7);
      task.lease_id = stmt->int64(8);
      task.lease_expires_ms = stmt->int64(9);
      if (!stmt->is_null(10)) task.exit_code = stmt->int64(10);
      task.wall_s = stmt->real(11);
      task.reason = stmt->text(12);
      task.output_truncated = stmt->int64(13) != 0;
      task.cancel_requested = stmt->int64(14) != 0;
      snapshot.tasks.push_back(std::move(task));
    }
  }

  Status load_output(Snapshot& snapshot) {
    Result<Statement> stmt =
        m_db.prepare("SELECT task_id, offset, data, from_stderr FROM task_output "
                     "ORDER BY task_id, offset");
    if (!stmt) return stmt.error();
    std::size_t index = 0;
    for (;;) {
      Result<bool> row = stmt->step();
      IA_TRY(row);
      if (!*row) return {};
      std::int64_t id = stmt->int64(0);
      while (index < snapshot.tasks.size() && snapshot.tasks[index].id < id) ++index;
      if (index == snapshot.tasks.size() || snapshot.tasks[index].id != id) continue;
      api::TaggedOutput& output = snapshot.tasks[index].output;
      // Only a chunk that continues the text counts: a chunk written twice (a retried
      // append) has the same offset and replaced the row.
      if (static_cast<std::size_t>(stmt->int64(1)) == output.size()) {
        output.append(stmt->text(2), stmt->int64(3) != 0);
      }
    }
  }

  Status load_nodes(Snapshot& snapshot) {
    Result<Statement> stmt = m_db.prepare(
        "SELECT id, cpu, memory_mib, gpu, labels, first_seen_ms, last_heartbeat_ms, completed, "
        "compute_s, last_served_ms, owner FROM nodes ORDER BY id");
    if (!stmt) return stmt.error();
    for (;;) {
      Result<bool> row = stmt->step();
      IA_TRY(row);
      if (!*row) return {};
      NodeRecord node;
      node.id = stmt->text(0);
      node.capacity = api::Resources{stmt->real(1), stmt->int64(2), stmt->int64(3)};
      std::string labels = stmt->text(4);
      if (!labels.empty()) node.labels = split(labels, '\n');
      node.first_seen_ms = stmt->int64(5);
      node.last_heartbeat_ms = stmt->int64(6);
      node.completed = stmt->int64(7);
      node.compute_s = stmt->real(8);
      node.last_served_ms = stmt->int64(9);
      node.owner = stmt->text(10);
      snapshot.nodes.push_back(std::move(node));
    }
  }

  Result<std::vector<TokenRecord>> load_tokens() {
    Result<Statement> stmt =
        m_db.prepare("SELECT name, role, hash, created_ms, revoked FROM tokens ORDER BY name");
    if (!stmt) return stmt.error();
    std::vector<TokenRecord> tokens;
    for (;;) {
      Result<bool> row = stmt->step();
      IA_TRY(row);
      if (!*row) return tokens;
      tokens.push_back(TokenRecord{stmt->text(0), stmt->text(1), stmt->text(2), stmt->int64(3),
                                   stmt->int64(4) != 0});
    }
  }

  std::mutex m_db_mutex;  // guards m_db and the statements
  Db m_db;
  Statement m_upsert_task;
  Statement m_insert_output;
  Statement m_upsert_node;
  Statement m_upsert_token;

  GroupWriter m_writer;  // last: stopped first, while the statements still exist
};

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite(const std::string& path) {
  Result<Db> db = Db::open(path);
  if (!db) return db.error();
  // WAL lets readers (ia-sched token list beside a running server) proceed during
  // writes; synchronous=FULL fsyncs the WAL at every commit, which is what makes an
  // answered request durable. Group commit keeps that to one fsync per batch group.
  IA_TRY(db->exec("PRAGMA journal_mode=WAL"));
  IA_TRY(db->exec("PRAGMA synchronous=FULL"));
  IA_TRY(db->exec("PRAGMA foreign_keys=ON"));
  IA_TRY(migrate(*db));
  auto store = std::make_unique<SqliteStore>(std::move(*db));
  IA_TRY(store->prepare());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ia::store
