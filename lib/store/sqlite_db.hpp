// A thin RAII layer over the SQLite C API: one connection, prepared statements with
// bound parameters. Errors come back as ia::Error naming the statement's purpose.
// A Db and its Statements belong to one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ia::store {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view data);
  Statement& bind_null(int index);

  // Steps once: true when a row is ready, false when done.
  Result<bool> step();
  // Steps to the end and resets for the next use.
  Status run();
  void reset();

  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* m_db = nullptr;
  sqlite3_stmt* m_stmt = nullptr;
};

class Db {
 public:
  static Result<Db> open(const std::string& path);
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  Result<std::int64_t> query_int(std::string_view sql);
  Error error(std::string_view what) const;
  const std::string& path() const { return m_path; }

 private:
  Db(sqlite3* db, std::string path) : m_db(db), m_path(std::move(path)) {}
  sqlite3* m_db = nullptr;
  std::string m_path;
};

}  // namespace ia::store
