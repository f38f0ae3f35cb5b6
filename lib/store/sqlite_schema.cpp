#include "store/sqlite_schema.hpp"

#include <array>
#include <string_view>

namespace ia::store {
namespace {

constexpr std::array<std::string_view, k_schema_version> k_migrations{
    // 1: tasks, their output chunks, nodes, tokens.
    R"sql(
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  state TEXT NOT NULL,
  spec TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  started_ms INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL,
  node_id TEXT NOT NULL,
  lease_id INTEGER NOT NULL,
  lease_expires_ms INTEGER NOT NULL,
  exit_code INTEGER,
  wall_s REAL NOT NULL,
  reason TEXT NOT NULL,
  truncated INTEGER NOT NULL,
  cancel_requested INTEGER NOT NULL
);
CREATE TABLE task_output (
  task_id INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (task_id, offset)
) WITHOUT ROWID;
CREATE TABLE nodes (
  id TEXT PRIMARY KEY,
  cpu REAL NOT NULL,
  memory_mib INTEGER NOT NULL,
  gpu INTEGER NOT NULL,
  labels TEXT NOT NULL,
  first_seen_ms INTEGER NOT NULL,
  last_heartbeat_ms INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  compute_s REAL NOT NULL,
  last_served_ms INTEGER NOT NULL
);
CREATE TABLE tokens (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL,
  revoked INTEGER NOT NULL
);
)sql",
    // 2: which output chunks came from stderr.
    R"sql(
ALTER TABLE task_output ADD COLUMN from_stderr INTEGER NOT NULL DEFAULT 0;
)sql",
    // 3: the node token that speaks for each node.
    R"sql(
ALTER TABLE nodes ADD COLUMN owner TEXT NOT NULL DEFAULT '';
)sql",
};

}  // namespace

Status migrate(Db& db) {
  Result<std::int64_t> version = db.query_int("PRAGMA user_version");
  IA_TRY(version);
  if (*version > k_schema_version) {
    return make_error(ErrorCode::unsupported,
                      "store " + db.path() + " has schema version " + std::to_string(*version) +
                          ", newer than this ia-sched knows (" +
                          std::to_string(k_schema_version) + ")",
                      "run the newer ia-sched that wrote it");
  }
  if (*version == k_schema_version) return {};
  IA_TRY(db.exec("BEGIN IMMEDIATE"));
  for (auto step = static_cast<std::size_t>(*version); step < k_migrations.size(); ++step) {
    if (Status applied = db.exec(k_migrations[step]); !applied) {
      (void)db.exec("ROLLBACK");
      return applied;
    }
  }
  IA_TRY(db.exec("PRAGMA user_version = " + std::to_string(k_schema_version)));
  return db.exec("COMMIT");
}

}  // namespace ia::store
