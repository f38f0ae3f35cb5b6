#include "store/pg_conn.hpp"

#include <libpq-fe.h>

#include <cstring>
#include <utility>

#include "store/pg_url.hpp"

namespace ia::store {
namespace {

constexpr int k_binary = 1;

// libpq's messages span lines ("...failed: ...\n\tIs the server running...?"); an
// ia::Error is one line.
std::string one_line(const char* message) {
  std::string out;
  bool space = false;
  for (const char* c = message ? message : ""; *c; ++c) {
    if (*c == '\n' || *c == '\t' || *c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += *c;
  }
  return out.empty() ? "unknown error" : out;
}

// CREATE TABLE IF NOT EXISTS and friends send NOTICEs that libpq would print on stderr.
void ignore_notice(void*, const char*) {}

std::string big_endian(std::uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8) bytes[i] = static_cast<char>(value & 0xff);
  return bytes;
}

std::uint64_t from_big_endian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (char byte : bytes) value = (value << 8) | static_cast<unsigned char>(byte);
  return value;
}

}  // namespace

PgParams& PgParams::add_bytes(std::string bytes, bool null) {
  m_lengths.push_back(static_cast<int>(bytes.size()));
  m_values.push_back(std::move(bytes));
  m_nulls.push_back(null);
  m_formats.push_back(k_binary);
  return *this;
}

PgParams& PgParams::add(std::int64_t value) {
  return add_bytes(big_endian(static_cast<std::uint64_t>(value)));
}

PgParams& PgParams::add(double value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return add_bytes(big_endian(bits));
}

PgParams& PgParams::add(bool value) {
  return add_bytes(std::string(1, value ? '\1' : '\0'));
}
PgParams& PgParams::add(std::string_view text) {
  return add_bytes(std::string(text));
}
PgParams& PgParams::add_null() {
  return add_bytes({}, true);
}

const char* const* PgParams::values() const {
  m_pointers.clear();
  for (std::size_t i = 0; i < m_values.size(); ++i) {
    m_pointers.push_back(m_nulls[i] ? nullptr : m_values[i].data());
  }
  return m_pointers.data();
}

PgRows::PgRows(PgRows&& other) noexcept : m_result(std::exchange(other.m_result, nullptr)) {}

PgRows& PgRows::operator=(PgRows&& other) noexcept {
  if (this != &other) {
    PQclear(m_result);
    m_result = std::exchange(other.m_result, nullptr);
  }
  return *this;
}

PgRows::~PgRows() {
  PQclear(m_result);
}

int PgRows::count() const {
  return PQntuples(m_result);
}
bool PgRows::is_null(int row, int column) const {
  return PQgetisnull(m_result, row, column);
}

std::string_view PgRows::raw(int row, int column) const {
  return {PQgetvalue(m_result, row, column),
          static_cast<std::size_t>(PQgetlength(m_result, row, column))};
}

std::int64_t PgRows::int64(int row, int column) const {
  return static_cast<std::int64_t>(from_big_endian(raw(row, column)));
}

double PgRows::real(int row, int column) const {
  std::uint64_t bits = from_big_endian(raw(row, column));
  double value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

bool PgRows::boolean(int row, int column) const {
  std::string_view value = raw(row, column);
  return !value.empty() && value[0] != 0;
}

std::string PgRows::bytes(int row, int column) const {
  return std::string(raw(row, column));
}

Result<PgConn> PgConn::connect(const std::string& url) {
  IA_TRY(check_pg_url(url));
  // Keywords before dbname are defaults the URL may override (libpq processes them in
  // order); without a timeout an unreachable host would hang ia-sched's start.
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {"10", "ia-sched", url.c_str(), nullptr};
  pg_conn* conn = PQconnectdbParams(keys, values, 1);
  std::string name = redact_password(url);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = conn ? one_line(PQerrorMessage(conn)) : "out of memory";
    PQfinish(conn);
    return make_error(ErrorCode::unavailable, "store " + name + ": cannot connect: " + why,
                      "check that the PostgreSQL server is running and that the URL names its "
                      "host (or socket directory), port, database and user");
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  return PgConn(conn, std::move(name));
}

PgConn::PgConn(PgConn&& other) noexcept
    : m_conn(std::exchange(other.m_conn, nullptr)), m_name(std::move(other.m_name)) {}

PgConn& PgConn::operator=(PgConn&& other) noexcept {
  if (this != &other) {
    PQfinish(m_conn);
    m_conn = std::exchange(other.m_conn, nullptr);
    m_name = std::move(other.m_name);
  }
  return *this;
}

PgConn::~PgConn() {
  PQfinish(m_conn);
}

bool PgConn::lost() const {
  return PQstatus(m_conn) != CONNECTION_OK;
}

Status PgConn::reset() {
  PQreset(m_conn);
  if (!lost()) return {};
  return make_error(ErrorCode::unavailable,
                    "store " + m_name + ": reconnect: " + one_line(PQerrorMessage(m_conn)),
                    "check that the PostgreSQL server is running; the next write tries again");
}

Result<PgRows> PgConn::check(pg_result* result, std::string_view what) {
  ExecStatusType status = PQresultStatus(result);
  if (result && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)) return PgRows(result);
  std::string why = one_line(result ? PQresultErrorMessage(result) : PQerrorMessage(m_conn));
  PQclear(result);
  if (lost()) {
    return make_error(ErrorCode::unavailable,
                      "store " + m_name + ": " + std::string(what) + ": connection lost: " + why,
                      "check the PostgreSQL server; the next write reconnects");
  }
  return make_error(ErrorCode::io, "store " + m_name + ": " + std::string(what) + ": " + why);
}

Status PgConn::exec(std::string_view sql) {
  Result<PgRows> rows = check(PQexec(m_conn, std::string(sql).c_str()), sql.substr(0, 40));
  if (!rows) return std::move(rows).error();
  return {};
}

Result<PgRows> PgConn::query(std::string_view sql, const PgParams& params) {
  return check(PQexecParams(m_conn, std::string(sql).c_str(), params.size(), nullptr,
                            params.values(), params.lengths(), params.formats(), k_binary),
               sql.substr(0, 40));
}

Status PgConn::prepare(const std::string& name, std::string_view sql) {
  Result<PgRows> rows = check(PQprepare(m_conn, name.c_str(), std::string(sql).c_str(), 0, nullptr),
                              "prepare " + name);
  if (!rows) return std::move(rows).error();
  return {};
}

Result<PgRows> PgConn::run(const std::string& name, const PgParams& params) {
  return check(PQexecPrepared(m_conn, name.c_str(), params.size(), params.values(),
                              params.lengths(), params.formats(), k_binary),
               name);
}

}  // namespace ia::store
