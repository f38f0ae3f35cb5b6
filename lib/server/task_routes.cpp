// The client-side task routes: submit, get, list, wait, cancel, output read.
#include "api/errors.hpp"
#include "core/strings.hpp"
#include "json/writer.hpp"
#include "server/service.hpp"
#include "server/views.hpp"

namespace ia::server {
namespace {

constexpr std::int64_t k_default_limit = 100;
constexpr std::int64_t k_max_limit = 1000;

Error not_found(std::int64_t id) {
  return make_error(ErrorCode::task_not_found, "task " + std::to_string(id) + " not found");
}

Result<std::int64_t> int_param(const http::Request& request, std::string_view name,
                               std::int64_t fallback, std::int64_t min, std::int64_t max) {
  const std::string* text = request.param(name);
  if (!text) return fallback;
  long long value = 0;
  if (!parse_int64(*text, value) || value < min || value > max) {
    return make_error(ErrorCode::invalid_argument,
                      std::string(name) + ": must be an integer from " + std::to_string(min) +
                          " to " + std::to_string(max) + ", got '" + text->substr(0, 32) + "'");
  }
  return static_cast<std::int64_t>(value);
}

Error failed_store(const Error& error) {
  return make_error(ErrorCode::unavailable, "store: " + error.message,
                    "the change was not saved; retry");
}

}  // namespace

void Service::submit(Call& call, api::TaskSpec spec, bool legacy) {
  // The prototype's user_id names the owner only for callers without a token
  // (legacy_open); one with a token owns what it submits, so it cannot plant a task
  // on someone else.
  if (spec.owner.empty() || call.principal.name != "anonymous") {
    spec.owner = call.principal.name;
  }
  std::lock_guard lock(m_mutex);
  sched::Changes changes;
  const api::Task& task = m_sched.submit(std::move(spec), now(), changes);
  std::int64_t id = task.id;
  commit(changes, [reply = call.reply, id, legacy](const Status& status) {
    http::Response response;
    if (!status) {
      response.status = 503;
      response.body = api::error_body(failed_store(status.error()));
    } else if (legacy) {
      response.body = R"({"task_id":)" + std::to_string(id) +
                      R"(,"status":"submitted","message":"Task submitted successfully"})";
    } else {
      response.status = 201;
      response.body = R"({"task_id":)" + std::to_string(id) + R"(,"status":"queued"})";
    }
    reply(std::move(response));
  });
}

void Service::get_task(Call& call, std::int64_t id) {
  std::lock_guard lock(m_mutex);
  const api::Task* task = m_sched.task(id);
  if (!task) return call.fail(not_found(id));
  if (Status ok = check_owns(call.principal, *task); !ok) return call.fail(ok.error());
  send_read(call, call.legacy ? legacy_task_json(*task) : task_json(*task));
}

void Service::list_tasks(Call& call) {
  std::optional<api::TaskState> state;
  if (const std::string* text = call.request.param("status"); text && !text->empty()) {
    state = api::parse_task_state(*text);
    if (!state) {
      return call.fail(make_error(ErrorCode::invalid_argument, "status: unknown state '" +
                                                                   text->substr(0, 32) + "'",
                                  "states: queued leased running succeeded failed "
                                  "timed_out cancelled"));
    }
  }
  Result<std::int64_t> limit = int_param(call.request, "limit", k_default_limit, 1, k_max_limit);
  if (!limit) return call.fail(limit.error());
  Result<std::int64_t> after = int_param(call.request, "after", 0, 0, INT64_MAX);
  if (!after) return call.fail(after.error());
  std::lock_guard lock(m_mutex);
  auto tasks = m_sched.list(state, *after, static_cast<std::size_t>(*limit),
                            owner_filter(call.principal));
  json::Writer out;
  out.begin_object().key("tasks").begin_array();
  for (const api::Task* task : tasks) api::write_task(out, *task, false);
  out.end_array().key("next_after");
  if (static_cast<std::int64_t>(tasks.size()) == *limit) {
    out.integer(tasks.back()->id);
  } else {
    out.null();
  }
  out.end_object();
  send_read(call, out.take());
}

void Service::wait_task(Call& call, std::int64_t id) {
  Result<std::int64_t> timeout = int_param(call.request, "timeout", 30, 0, m_options.max_wait_s);
  if (!timeout) return call.fail(timeout.error());
  std::lock_guard lock(m_mutex);
  const api::Task* task = m_sched.task(id);
  if (!task) return call.fail(not_found(id));
  if (Status ok = check_owns(call.principal, *task); !ok) return call.fail(ok.error());
  if (api::is_finished(task->state) || *timeout == 0 || m_stopped) {
    return send_read(call, task_json(*task));
  }
  if (!hold_wait_slot(call)) return;
  std::uint64_t serial = park(m_task_waiters, id, Parked{0, call.reply, 0, false, nullptr});
  m_server->schedule(Millis(*timeout * 1000), [this, id, serial] {
    std::string body;
    {
      std::lock_guard inner(m_mutex);
      if (const api::Task* current = m_sched.task(id)) body = task_json(*current);
    }
    http::Response response;
    response.body = std::move(body);
    expire_parked(m_task_waiters, id, serial, std::move(response));
  });
}

void Service::cancel_task(Call& call, std::int64_t id, bool legacy) {
  std::lock_guard lock(m_mutex);
  const api::Task* existing = m_sched.task(id);
  if (!existing) return call.fail(not_found(id));
  if (Status ok = check_owns(call.principal, *existing); !ok) return call.fail(ok.error());
  sched::Changes changes;
  Result<const api::Task*> task = m_sched.cancel(id, now(), changes);
  if (!task) return call.fail(task.error());
  std::string body = legacy ? R"({"success":true,"task_id":)" + std::to_string(id) +
                                  R"(,"message":"Task deleted"})"
                            : task_json(**task);
  commit(changes, [reply = call.reply, body = std::move(body)](const Status& status) {
    http::Response response;
    response.body = status ? body : api::error_body(failed_store(status.error()));
    response.status = status ? 200 : 503;
    reply(std::move(response));
  });
}

void Service::read_output(Call& call, std::int64_t id) {
  Result<std::int64_t> offset = int_param(call.request, "offset", 0, 0, INT64_MAX);
  if (!offset) return call.fail(offset.error());
  Result<std::int64_t> wait = int_param(call.request, "wait", 0, 0, m_options.max_wait_s);
  if (!wait) return call.fail(wait.error());
  std::lock_guard lock(m_mutex);
  const api::Task* task = m_sched.task(id);
  if (!task) return call.fail(not_found(id));
  if (Status ok = check_owns(call.principal, *task); !ok) return call.fail(ok.error());
  bool has_more = static_cast<std::size_t>(*offset) < task->output.size();
  if (has_more || api::is_finished(task->state) || *wait == 0 || m_stopped) {
    return send_read(call, output_json(*task, *offset));
  }
  if (!hold_wait_slot(call)) return;
  std::uint64_t serial = park(m_output_waiters, id, Parked{0, call.reply, *offset, false, nullptr});
  std::int64_t from = *offset;
  m_server->schedule(Millis(*wait * 1000), [this, id, serial, from] {
    std::string body;
    {
      std::lock_guard inner(m_mutex);
      if (const api::Task* current = m_sched.task(id)) body = output_json(*current, from);
    }
    http::Response response;
    response.body = std::move(body);
    expire_parked(m_output_waiters, id, serial, std::move(response));
  });
}

}  // namespace ia::server
