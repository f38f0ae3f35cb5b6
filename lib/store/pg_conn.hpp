// A thin RAII layer over libpq: one connection, prepared statements, and parameters and
// results in binary format, so bytes (NUL included) pass through unchanged. Errors come
// back as ia::Error naming the store and what failed; a lost connection is
// ErrorCode::unavailable. Every call has a deadline: a server that does not answer in
// time (stopped, hung, unreachable) fails the call and the connection is dropped, so its
// session (and lock) ends on the server's side too. TCP keepalives and tcp_user_timeout
// notice a peer that vanished between calls. A PgConn and its results belong to one
// thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

struct pg_conn;
struct pg_result;

namespace ia::store {

// Binary parameters for one statement. Each must match the type the server gives its
// placeholder (from the column it fills): int64 bigint, double precision, boolean, text,
// bytea.
class PgParams {
 public:
  PgParams& add(std::int64_t value);
  PgParams& add(double value);
  PgParams& add(bool value);
  PgParams& add(std::string_view text);  // text and bytea alike: the bytes as they are
  PgParams& add(const char* text) { return add(std::string_view(text)); }  // not as bool
  PgParams& add_null();

  int size() const { return static_cast<int>(m_values.size()); }
  const char* const* values() const;
  const int* lengths() const { return m_lengths.data(); }
  const int* formats() const { return m_formats.data(); }

 private:
  PgParams& add_bytes(std::string bytes, bool null = false);
  std::vector<std::string> m_values;
  std::vector<bool> m_nulls;
  std::vector<int> m_lengths;
  std::vector<int> m_formats;
  mutable std::vector<const char*> m_pointers;
};

// The rows of a statement, read in binary format.
class PgRows {
 public:
  explicit PgRows(pg_result* result) : m_result(result) {}
  PgRows(PgRows&& other) noexcept;
  PgRows& operator=(PgRows&& other) noexcept;
  PgRows(const PgRows&) = delete;
  PgRows& operator=(const PgRows&) = delete;
  ~PgRows();

  int count() const;
  bool is_null(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  double real(int row, int column) const;
  bool boolean(int row, int column) const;
  std::string bytes(int row, int column) const;  // text or bytea

 private:
  std::string_view raw(int row, int column) const;
  pg_result* m_result = nullptr;
};

class PgConn {
 public:
  // url as libpq takes it; errors and name() show it without its password.
  static Result<PgConn> connect(const std::string& url, std::int64_t timeout_ms);
  PgConn(PgConn&& other) noexcept;
  PgConn& operator=(PgConn&& other) noexcept;
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;
  ~PgConn();

  Status exec(std::string_view sql);
  Result<PgRows> query(std::string_view sql, const PgParams& params = {});
  Status prepare(const std::string& name, std::string_view sql);
  Result<PgRows> run(const std::string& name, const PgParams& params);

  // Whether the server went away; reset() then reconnects, and prepared statements and
  // session settings must be made again.
  bool lost() const;
  Status reset();
  const std::string& name() const { return m_name; }
  std::int64_t timeout_ms() const { return m_timeout_ms; }

 private:
  PgConn(pg_conn* conn, std::string name, std::int64_t timeout_ms)
      : m_conn(conn), m_name(std::move(name)), m_timeout_ms(timeout_ms) {}
  // The result of the statement just sent (sent: whether sending worked), waiting at most
  // the timeout for it.
  Result<PgRows> await(bool sent, std::string_view what);
  // Waits until the socket is ready for events or the deadline passed.
  bool wait_socket(short events, std::int64_t deadline_ms);
  // Ends the connection from this side after a timeout; lost() from now on.
  void drop();
  Result<PgRows> check(pg_result* result, std::string_view what);
  pg_conn* m_conn = nullptr;
  std::string m_name;  // the URL without its password
  std::int64_t m_timeout_ms = 10'000;
  bool m_dropped = false;
};

}  // namespace ia::store
