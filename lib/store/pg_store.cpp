#include "store/pg_store.hpp"

#include <deque>
#include <mutex>

#include "store/group_writer.hpp"
#include "store/pg_conn.hpp"
#include "store/pg_lock.hpp"
#include "store/pg_records.hpp"
#include "store/pg_schema.hpp"

namespace ia::store {
namespace {

Error closed_error() {
  return make_error(ErrorCode::unavailable, "store is closed", "ia-sched is shutting down");
}

// Everything a connection needs before it serves the store; run again after a reconnect,
// which starts a new session without the lock, the settings or the prepared statements.
Status start_session(PgConn& conn, Access access) {
  // The server's default may be off; an answered request must survive a server crash.
  IA_TRY(conn.exec("SET synchronous_commit = on"));
  // The server ends a statement that outlives the client's own deadline (PgConn), so a
  // lock wait or a slow disk does not keep a transaction open after its caller gave up.
  IA_TRY(conn.exec("SET statement_timeout = " + std::to_string(conn.timeout_ms())));
  if (access == Access::server) IA_TRY(lock_database(conn));
  IA_TRY(migrate_pg(conn));
  return prepare_upserts(conn);
}

class PgStore final : public Store {
 public:
  PgStore(PgConn conn, Access access) : m_conn(std::move(conn)), m_access(access) {}
  ~PgStore() override { close(); }

  void start() {
    m_writer.start([this](const std::deque<PendingWrite>& group) { return commit(group); });
  }

  Result<Snapshot> load() override {
    std::lock_guard lock(m_conn_mutex);
    IA_TRY(usable(true));
    return read_snapshot(m_conn);
  }

  void write(Batch batch, WriteDone done) override {
    m_writer.write(std::move(batch), std::move(done));
  }

  void resume() override { m_writer.resume(); }

  Result<std::vector<TokenRecord>> tokens() override {
    std::lock_guard lock(m_conn_mutex);
    IA_TRY(usable(m_access == Access::tool));
    return read_tokens(m_conn);
  }

  void close() override {
    m_writer.stop();
    std::lock_guard lock(m_conn_mutex);
    // Let go at once: ending the connection alone frees the lock only once the server's
    // backend has exited, and a store opened right after would find it still held.
    if (m_access == Access::server && !m_closed && !m_conn.lost()) {
      (void)unlock_database(m_conn);
    }
    m_closed = true;
  }

  std::string url() const override { return m_conn.name(); }

 private:
  // The connection with its session started. Called with m_conn_mutex held. Only a
  // reader of the whole store (reconnect: load) reconnects: a server's session lost
  // means its lock was lost, another ia-sched may have written since, and what the
  // server holds in memory is stale until it has read the store again. A session that
  // failed to start (another ia-sched took the lock meanwhile) is retried, never
  // written through.
  Status usable(bool reconnect) {
    if (m_closed) return closed_error();
    if (m_conn.lost()) m_session_ready = false;
    if (m_session_ready) return {};
    if (!reconnect) {
      Error lost = make_error(ErrorCode::unavailable,
                              "store " + m_conn.name() + ": connection lost (the session and "
                              "its lock with it)",
                              "ia-sched reconnects and rereads the store; retry in a moment");
      m_writer.fail(lost);
      return lost;
    }
    if (m_conn.lost()) IA_TRY(m_conn.reset());
    IA_TRY(start_session(m_conn, m_access));
    m_session_ready = true;
    return {};
  }

  Status commit(const std::deque<PendingWrite>& group) {
    std::lock_guard lock(m_conn_mutex);
    IA_TRY(usable(m_access == Access::tool));
    IA_TRY(m_conn.exec("BEGIN"));
    for (const PendingWrite& pending : group) {
      if (Status applied = write_batch(m_conn, pending.batch); !applied) {
        (void)m_conn.exec("ROLLBACK");
        return applied;
      }
    }
    return m_conn.exec("COMMIT");
  }

  std::mutex m_conn_mutex;  // guards m_conn, m_closed and m_session_ready
  PgConn m_conn;
  bool m_closed = false;
  Access m_access;
  bool m_session_ready = true;  // open_pg starts the first session

  GroupWriter m_writer;  // last: stopped first, while the connection still exists
};

}  // namespace

Result<std::unique_ptr<Store>> open_pg(const std::string& url, StoreOptions options) {
  Result<PgConn> conn = PgConn::connect(url, options.timeout_ms);
  if (!conn) return std::move(conn).error();
  IA_TRY(start_session(*conn, options.access));
  auto store = std::make_unique<PgStore>(std::move(*conn), options.access);
  store->start();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ia::store
