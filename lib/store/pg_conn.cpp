#include "store/pg_conn.hpp"

#include <libpq-fe.h>

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/time.hpp"
#include "core/units.hpp"

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

Result<PgConn> PgConn::connect(const std::string& url, std::int64_t timeout_ms) {
  IA_TRY(check_pg_url(url));
  // Keywords before dbname are defaults the URL may override (libpq processes them in
  // order). Without them an unreachable host would hang ia-sched's start, and a peer
  // gone without a word would hang the next statement until the kernel gave up (hours).
  std::int64_t seconds = std::max<std::int64_t>(2, (timeout_ms + 999) / 1000);
  std::string connect_timeout = std::to_string(seconds);
  std::string idle = std::to_string(std::max<std::int64_t>(1, seconds / 3));
  std::string interval = std::to_string(std::max<std::int64_t>(1, seconds / 6));
  std::string user_timeout = std::to_string(timeout_ms);
  const char* keys[] = {"connect_timeout",     "keepalives",         "keepalives_idle",
                        "keepalives_interval", "keepalives_count",   "tcp_user_timeout",
                        "fallback_application_name", "dbname",       nullptr};
  const char* values[] = {connect_timeout.c_str(), "1",        idle.c_str(), interval.c_str(),
                          "3",                     user_timeout.c_str(), "ia-sched",
                          url.c_str(),             nullptr};
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
  return PgConn(conn, std::move(name), timeout_ms);
}

PgConn::PgConn(PgConn&& other) noexcept
    : m_conn(std::exchange(other.m_conn, nullptr)),
      m_name(std::move(other.m_name)),
      m_timeout_ms(other.m_timeout_ms),
      m_dropped(other.m_dropped) {}

PgConn& PgConn::operator=(PgConn&& other) noexcept {
  if (this != &other) {
    PQfinish(m_conn);
    m_conn = std::exchange(other.m_conn, nullptr);
    m_name = std::move(other.m_name);
    m_timeout_ms = other.m_timeout_ms;
    m_dropped = other.m_dropped;
  }
  return *this;
}

PgConn::~PgConn() {
  PQfinish(m_conn);
}

bool PgConn::lost() const {
  return m_dropped || PQstatus(m_conn) != CONNECTION_OK;
}

Status PgConn::reset() {
  PQreset(m_conn);
  m_dropped = false;
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
                      "check the PostgreSQL server; ia-sched reconnects and rereads the store");
  }
  return make_error(ErrorCode::io, "store " + m_name + ": " + std::string(what) + ": " + why);
}

void PgConn::drop() {
  // shutdown, not close: libpq still owns the descriptor and closes it in PQreset.
  if (int fd = PQsocket(m_conn); fd >= 0) ::shutdown(fd, SHUT_RDWR);
  m_dropped = true;
}

bool PgConn::wait_socket(short events, std::int64_t deadline_ms) {
  for (;;) {
    std::int64_t left = deadline_ms - steady_now_ms();
    if (left <= 0) return false;
    pollfd fd{PQsocket(m_conn), events, 0};
    int ready = ::poll(&fd, 1, static_cast<int>(std::min<std::int64_t>(left, 60'000)));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return true;  // let libpq find and report the error
  }
}

Result<PgRows> PgConn::await(bool sent, std::string_view what) {
  if (!sent) return check(nullptr, what);
  std::int64_t deadline = steady_now_ms() + m_timeout_ms;
  auto timed_out = [&]() -> Error {
    drop();
    return make_error(ErrorCode::unavailable,
                      "store " + m_name + ": " + std::string(what) + ": no answer within " +
                          format_duration(Millis(m_timeout_ms)) + "; connection dropped",
                      "check the PostgreSQL server (stopped, overloaded or unreachable?); "
                      "[sched] store_timeout sets the limit");
  };
  for (;;) {
    int flushed = PQflush(m_conn);
    if (flushed <= 0) break;
    if (!wait_socket(POLLIN | POLLOUT, deadline)) return timed_out();
    if (!PQconsumeInput(m_conn)) break;
  }
  pg_result* last = nullptr;
  for (;;) {
    while (PQisBusy(m_conn) && !lost()) {
      if (!wait_socket(POLLIN, deadline)) {
        PQclear(last);
        return timed_out();
      }
      if (!PQconsumeInput(m_conn)) break;
    }
    pg_result* next = PQgetResult(m_conn);
    if (!next) break;
    // A statement gives one result; keep the last (the error, if one came).
    PQclear(last);
    last = next;
  }
  return check(last, what);
}

Status PgConn::exec(std::string_view sql) {
  std::string text(sql);
  Result<PgRows> rows = await(PQsendQuery(m_conn, text.c_str()) == 1, sql.substr(0, 40));
  if (!rows) return std::move(rows).error();
  return {};
}

Result<PgRows> PgConn::query(std::string_view sql, const PgParams& params) {
  std::string text(sql);
  bool sent = PQsendQueryParams(m_conn, text.c_str(), params.size(), nullptr, params.values(),
                                params.lengths(), params.formats(), k_binary) == 1;
  return await(sent, sql.substr(0, 40));
}

Status PgConn::prepare(const std::string& name, std::string_view sql) {
  std::string text(sql);
  bool sent = PQsendPrepare(m_conn, name.c_str(), text.c_str(), 0, nullptr) == 1;
  Result<PgRows> rows = await(sent, "prepare " + name);
  if (!rows) return std::move(rows).error();
  return {};
}

Result<PgRows> PgConn::run(const std::string& name, const PgParams& params) {
  bool sent = PQsendQueryPrepared(m_conn, name.c_str(), params.size(), params.values(),
                                  params.lengths(), params.formats(), k_binary) == 1;
  return await(sent, name);
}

}  // namespace ia::store
