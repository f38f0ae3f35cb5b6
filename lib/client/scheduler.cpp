#include "client/scheduler.hpp"

#include <limits>

#include "api/task.hpp"

namespace ia::client {
namespace {

// Long polls wait on the server; the request's own limit must outlast them.
Millis poll_limit(int wait_s) { return Millis((wait_s + 15) * 1000LL); }

}  // namespace

bool is_finished_state(const std::string& state) {
  return state == "succeeded" || state == "failed" || state == "timed_out" ||
         state == "cancelled";
}

Status check_task_state(const std::string& state) {
  if (api::parse_task_state(state)) return {};
  return make_error(ErrorCode::invalid_argument, "unknown task state '" + state + "'",
                    "states: queued, leased, running, succeeded, failed, timed_out, cancelled");
}

Result<json::Value> Scheduler::submit(const std::string& body) {
  return http::json_or_error(m_http.post("/v1/tasks", body));
}

Result<json::Value> Scheduler::task(std::int64_t id) {
  return http::json_or_error(m_http.get("/v1/tasks/" + std::to_string(id)));
}

Result<json::Value> Scheduler::wait(std::int64_t id, int wait_s) {
  std::string path = "/v1/tasks/" + std::to_string(id) + "/wait?timeout=" + std::to_string(wait_s);
  return http::json_or_error(m_http.get(path, poll_limit(wait_s)));
}

Result<json::Value> Scheduler::list(const std::string& state, std::int64_t limit,
                                    std::int64_t after) {
  std::string path = "/v1/tasks?limit=" + std::to_string(limit) + "&after=" + std::to_string(after);
  if (!state.empty()) {
    // Checked, not pasted raw: "queued&limit=100000" would add a parameter of its own.
    IA_TRY(check_task_state(state));
    path += "&status=" + state;
  }
  return http::json_or_error(m_http.get(path));
}

Result<json::Value> Scheduler::cancel(std::int64_t id) {
  return http::json_or_error(m_http.del("/v1/tasks/" + std::to_string(id)));
}

Result<OutputPiece> Scheduler::output(std::int64_t id, std::int64_t offset, int wait_s) {
  std::string path = "/v1/tasks/" + std::to_string(id) + "/output?offset=" +
                     std::to_string(offset) + "&wait=" + std::to_string(wait_s);
  Result<json::Value> answer = http::json_or_error(m_http.get(path, poll_limit(wait_s)));
  if (!answer) return std::move(answer).error();
  OutputPiece piece;
  Result<api::TaggedOutput> data =
      api::parse_output(*answer, "data", true, std::numeric_limits<std::size_t>::max());
  const json::Value* next = answer->find("next_offset");
  const json::Value* finished = answer->find("finished");
  if (!data || !next || !next->is_int()) {
    return make_error(ErrorCode::internal, "the scheduler's output answer is malformed" +
                                               (data ? "" : ": " + data.error().message));
  }
  piece.data = std::move(data).value();
  piece.next_offset = next->as_int();
  piece.finished = finished && finished->is_bool() && finished->as_bool();
  piece.status = answer->string_at("status");
  return piece;
}

Result<json::Value> Scheduler::get(const std::string& path) {
  return http::json_or_error(m_http.get(path));
}

}  // namespace ia::client
