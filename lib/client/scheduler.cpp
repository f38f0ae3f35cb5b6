#include "client/scheduler.hpp"

#include <cctype>
#include <limits>

#include "api/task.hpp"

namespace ia::client {
namespace {

// Long polls wait on the server; the request's own limit must outlast them.
Millis poll_limit(int wait_s) { return Millis((wait_s + 15) * 1000LL); }

Error malformed(const std::string& answer, const std::string& why) {
  return make_error(ErrorCode::internal, "the scheduler's answer " + answer + " " + why,
                    "check that client.server names an ia-sched of this version");
}

// An answer without the task's id and state would be shown as a task with nothing known,
// or as a cancel that worked: a server that sends one is broken, or no ia-sched.
Result<json::Value> checked_task(Result<json::Value> answer, std::int64_t id) {
  if (!answer) return answer;
  std::string which = "for task " + std::to_string(id);
  if (!answer->is_object()) return malformed(which, "is not a JSON object");
  const json::Value* task_id = answer->find("task_id");
  if (!task_id || !task_id->is_int()) return malformed(which, "has no whole-number 'task_id'");
  if (task_id->as_int() != id) {
    return malformed(which, "is about task " + std::to_string(task_id->as_int()));
  }
  const json::Value* status = answer->find("status");
  if (!status || !status->is_string() || status->as_string().empty()) {
    return malformed(which, "has no 'status'");
  }
  return answer;
}

Result<json::Value> checked_list(Result<json::Value> answer) {
  if (!answer) return answer;
  const json::Value* tasks = answer->find("tasks");
  if (!tasks || !tasks->is_array()) return malformed("listing tasks", "has no 'tasks' list");
  return answer;
}

// A query value as RFC 3986 wants it: unreserved characters as they are, the rest %XX.
std::string query_value(const std::string& text) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

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
  return checked_task(http::json_or_error(m_http.get("/v1/tasks/" + std::to_string(id))), id);
}

Result<json::Value> Scheduler::wait(std::int64_t id, int wait_s) {
  std::string path = "/v1/tasks/" + std::to_string(id) + "/wait?timeout=" + std::to_string(wait_s);
  return checked_task(http::json_or_error(m_http.get(path, poll_limit(wait_s))), id);
}

Result<json::Value> Scheduler::list(const std::string& state, std::int64_t limit,
                                    std::int64_t after) {
  std::string path = "/v1/tasks?limit=" + std::to_string(limit) + "&after=" + std::to_string(after);
  if (!state.empty()) {
    // Checked, not pasted raw: "queued&limit=100000" would add a parameter of its own.
    IA_TRY(check_task_state(state));
    path += "&status=" + state;
  }
  return checked_list(http::json_or_error(m_http.get(path)));
}

Result<json::Value> Scheduler::cancel(std::int64_t id) {
  return checked_task(http::json_or_error(m_http.del("/v1/tasks/" + std::to_string(id))), id);
}

Result<json::Value> Scheduler::cancel_matching(const std::string& state,
                                               const std::string& glob) {
  std::string query;
  if (!state.empty()) {
    IA_TRY(check_task_state(state));
    query += "status=" + state;
  }
  if (!glob.empty()) query += (query.empty() ? "" : "&") + std::string("name=") + query_value(glob);
  Result<json::Value> answer = http::json_or_error(m_http.del("/v1/tasks?" + query));
  if (!answer) return answer;
  const json::Value* ids = answer->find("cancelled");
  if (!ids || !ids->is_array()) return malformed("cancelling by filter", "has no 'cancelled' list");
  return answer;
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
