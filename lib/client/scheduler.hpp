// client::Scheduler: the /v1 client routes of ia-sched as calls that return the server's
// JSON answers (or its errors as ia::Error). What ia-submit, ia-status and ia-cancel share.
// A task answer without its task_id and status, or a listing without its tasks, is an
// error naming what is missing.
// Thread safety follows http::Client: calls may come from several threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/output.hpp"
#include "core/result.hpp"
#include "http/client.hpp"
#include "json/value.hpp"

namespace ia::client {

struct OutputPiece {
  api::TaggedOutput data;
  std::int64_t next_offset = 0;
  bool finished = false;
  std::string status;
};

class Scheduler {
 public:
  explicit Scheduler(http::ClientOptions options) : m_http(std::move(options)) {}

  Result<json::Value> submit(const std::string& body);
  Result<json::Value> task(std::int64_t id);
  // Returns when the task is finished or wait_s passes (the task as it is then).
  Result<json::Value> wait(std::int64_t id, int wait_s);
  Result<json::Value> list(const std::string& state, std::int64_t limit, std::int64_t after);
  Result<json::Value> cancel(std::int64_t id);
  // Every unfinished task in state (may be empty) whose name matches glob (may be empty),
  // in one request: {"cancelled": [ids]}.
  Result<json::Value> cancel_matching(const std::string& state, const std::string& glob);
  Result<OutputPiece> output(std::int64_t id, std::int64_t offset, int wait_s);
  Result<json::Value> get(const std::string& path);  // stats, nodes, queue, top

  const std::string& server() const { return m_http.options().base_url; }
  // Makes calls in flight return early (from a signal thread: Ctrl-C while following).
  void interrupt() { m_http.interrupt(); }
  void resume() { m_http.resume(); }

 private:
  http::Client m_http;
};

bool is_finished_state(const std::string& state);

// An error listing the task states unless state is one of them (for --state flags).
Status check_task_state(const std::string& state);

}  // namespace ia::client
