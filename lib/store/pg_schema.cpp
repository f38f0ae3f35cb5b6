#include "store/pg_schema.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ia::store {
namespace {

// "ia-migra" in ASCII: apart from the server's lock (pg_lock.cpp), which a tool never takes.
constexpr std::int64_t k_migration_lock_key = 0x69612d6d69677261;

// Column types match what PgParams sends in binary: bigint for int64, double precision,
// boolean, text, bytea. bytea wherever the bytes come from outside unchecked (output, a
// node's reason, labels, token names from a command line): text refuses NUL and invalid
// UTF-8, and one refused row would fail every batch of its group commit.
constexpr std::array<std::string_view, k_pg_schema_version> k_migrations{
    // 1: tasks, their output chunks, nodes with their owner, tokens.
    R"sql(
CREATE TABLE tasks (
  id bigint PRIMARY KEY,
  state text NOT NULL,
  spec text NOT NULL,
  attempt bigint NOT NULL,
  created_ms bigint NOT NULL,
  started_ms bigint NOT NULL,
  finished_ms bigint NOT NULL,
  node_id text NOT NULL,
  lease_id bigint NOT NULL,
  lease_expires_ms bigint NOT NULL,
  exit_code bigint,
  wall_s double precision NOT NULL,
  reason bytea NOT NULL,
  truncated boolean NOT NULL,
  cancel_requested boolean NOT NULL
);
CREATE TABLE task_output (
  task_id bigint NOT NULL,
  byte_offset bigint NOT NULL,
  data bytea NOT NULL,
  from_stderr boolean NOT NULL,
  PRIMARY KEY (task_id, byte_offset)
);
CREATE TABLE nodes (
  id text PRIMARY KEY,
  cpu double precision NOT NULL,
  memory_mib bigint NOT NULL,
  gpu bigint NOT NULL,
  labels bytea NOT NULL,
  first_seen_ms bigint NOT NULL,
  last_heartbeat_ms bigint NOT NULL,
  completed bigint NOT NULL,
  compute_s double precision NOT NULL,
  last_served_ms bigint NOT NULL,
  owner bytea NOT NULL
);
CREATE TABLE tokens (
  name bytea PRIMARY KEY,
  role text NOT NULL,
  hash text NOT NULL UNIQUE,
  created_ms bigint NOT NULL,
  revoked boolean NOT NULL
);
)sql",
};

Result<std::int64_t> stored_version(PgConn& conn) {
  IA_TRY(conn.exec(
      "CREATE TABLE IF NOT EXISTS ia_meta (key text PRIMARY KEY, value bigint NOT NULL)"));
  Result<PgRows> rows = conn.query("SELECT value FROM ia_meta WHERE key = 'schema_version'");
  if (!rows) return std::move(rows).error();
  return rows->count() == 0 ? 0 : rows->int64(0, 0);
}

Status apply_migrations(PgConn& conn, std::int64_t from) {
  for (auto step = static_cast<std::size_t>(from); step < k_migrations.size(); ++step) {
    IA_TRY(conn.exec(k_migrations[step]));
  }
  PgParams version;
  version.add(std::int64_t{k_pg_schema_version});
  Result<PgRows> written = conn.query(
      "INSERT INTO ia_meta (key, value) VALUES ('schema_version', $1) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      version);
  if (!written) return std::move(written).error();
  return {};
}

}  // namespace

Status migrate_pg(PgConn& conn) {
  IA_TRY(conn.exec("BEGIN"));
  // Two stores opening an empty database at once (ia-sched token beside a starting
  // server) would both create the tables, and one would fail on PostgreSQL's catalog.
  // The lock is the transaction's: the second waits here, then finds the schema made.
  if (Status locked = conn.exec("SELECT pg_advisory_xact_lock(" +
                                std::to_string(k_migration_lock_key) + ")");
      !locked) {
    (void)conn.exec("ROLLBACK");
    return locked;
  }
  Result<std::int64_t> version = stored_version(conn);
  Status migrated = version ? Status{} : Status{version.error()};
  if (version && *version > k_pg_schema_version) {
    migrated = make_error(ErrorCode::unsupported,
                          "store " + conn.name() + " has schema version " +
                              std::to_string(*version) + ", newer than this ia-sched knows (" +
                              std::to_string(k_pg_schema_version) + ")",
                          "run the newer ia-sched that wrote it");
  } else if (version && *version < k_pg_schema_version) {
    migrated = apply_migrations(conn, *version);
  }
  if (!migrated) {
    (void)conn.exec("ROLLBACK");
    return migrated;
  }
  return conn.exec("COMMIT");
}

}  // namespace ia::store
