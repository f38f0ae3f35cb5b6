#include "store/sqlite_db.hpp"

#include <sqlite3.h>

#include <utility>

#include "core/file.hpp"

namespace ia::store {

Statement::Statement(Statement&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_stmt(std::exchange(other.m_stmt, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(m_stmt);
    m_db = std::exchange(other.m_db, nullptr);
    m_stmt = std::exchange(other.m_stmt, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(m_stmt); }

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(m_stmt, index, value);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(m_stmt, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view data) {
  sqlite3_bind_blob(m_stmt, index, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(m_stmt, index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return make_error(ErrorCode::io, std::string("sqlite: ") + sqlite3_errmsg(m_db),
                    "check the disk and the store file's permissions");
}

Status Statement::run() {
  Result<bool> row = step();
  while (row && *row) row = step();
  reset();
  if (!row) return std::move(row).error();
  return {};
}

void Statement::reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(m_stmt, column); }
double Statement::real(int column) const { return sqlite3_column_double(m_stmt, column); }
bool Statement::is_null(int column) const {
  return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::string Statement::text(int column) const {
  const void* data = sqlite3_column_blob(m_stmt, column);
  int size = sqlite3_column_bytes(m_stmt, column);
  if (!data) return {};
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

Result<Db> Db::open(const std::string& path) {
  // Every task's code, environment and output is in these files: an older version left
  // them 0644; they are the server user's alone before anything reads them.
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    IA_TRY(restrict_mode(path + suffix, 0600));
  }
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &handle,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string why = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close(handle);
    return make_error(ErrorCode::io, "open store " + path + ": " + why,
                      "check that the directory exists and is writable");
  }
  sqlite3_busy_timeout(handle, 5000);
  Db db(handle, path);
  // A file made just now has the umask's mode: 0644 for a tool run with the usual one.
  IA_TRY(restrict_mode(path, 0600));
  return db;
}

Db::Db(Db&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_path(std::move(other.m_path)) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    sqlite3_close(m_db);
    m_db = std::exchange(other.m_db, nullptr);
    m_path = std::move(other.m_path);
  }
  return *this;
}

Db::~Db() { sqlite3_close(m_db); }

Error Db::error(std::string_view what) const {
  return make_error(ErrorCode::io,
                    "store " + m_path + ": " + std::string(what) + ": " + sqlite3_errmsg(m_db));
}

Status Db::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string why = message ? message : "unknown error";
    sqlite3_free(message);
    return make_error(ErrorCode::io, "store " + m_path + ": " + why);
  }
  return {};
}

Result<Statement> Db::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return error("prepare");
  }
  return Statement(m_db, stmt);
}

Result<std::int64_t> Db::query_int(std::string_view sql) {
  Result<Statement> stmt = prepare(sql);
  if (!stmt) return stmt.error();
  Result<bool> row = stmt->step();
  IA_TRY(row);
  return *row ? stmt->int64(0) : 0;
}

}  // namespace ia::store
