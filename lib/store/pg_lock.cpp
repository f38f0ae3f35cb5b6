#include "store/pg_lock.hpp"

#include <chrono>
#include <thread>

namespace ia::store {
namespace {

// "ia-sched" in ASCII: one fixed key every ia-sched agrees on.
constexpr std::int64_t k_lock_key = 0x69612d7363686564;
constexpr int k_lock_tries = 30;
constexpr auto k_lock_retry = std::chrono::milliseconds(100);

PgParams key() {
  PgParams params;
  params.add(k_lock_key);
  return params;
}

Result<bool> try_lock(PgConn& conn) {
  Result<PgRows> rows = conn.query("SELECT pg_try_advisory_lock($1)", key());
  if (!rows) return std::move(rows).error();
  return rows->boolean(0, 0);
}

// "backend pid 123, client 10.0.0.5, application ia-sched", for the refusal.
std::string describe_holder(PgConn& conn) {
  Result<PgRows> rows = conn.query(
      "SELECT a.pid::bigint, coalesce(host(a.client_addr), 'local socket'), "
      "a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
      "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
      "AND ((l.classid::bigint << 32) | l.objid::bigint) = $1",
      key());
  if (!rows || rows->count() == 0) return "";
  return " (backend pid " + std::to_string(rows->int64(0, 0)) + ", client " + rows->bytes(0, 1) +
         ", application '" + rows->bytes(0, 2) + "')";
}

}  // namespace

Status lock_database(PgConn& conn) {
  for (int attempt = 0; attempt < k_lock_tries; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(k_lock_retry);
    Result<bool> locked = try_lock(conn);
    IA_TRY(locked);
    if (*locked) return {};
  }
  return make_error(ErrorCode::conflict,
                    "store " + conn.name() + ": another ia-sched holds this database" +
                        describe_holder(conn) +
                        "; several ia-sched sharing one database is not built yet",
                    "stop the other ia-sched, or give this one a database of its own");
}

Status unlock_database(PgConn& conn) {
  Result<PgRows> rows = conn.query("SELECT pg_advisory_unlock($1)", key());
  if (!rows) return std::move(rows).error();
  return {};
}

}  // namespace ia::store
