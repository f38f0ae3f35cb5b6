// The task service calls: submit, get, list, wait, cancel, output read. Each checks that
// the caller owns the task (ownership.cpp) and answers with the view it is given.
#include "api/errors.hpp"
#include "server/params.hpp"
#include "server/service.hpp"
#include "server/views.hpp"

namespace ia::server {
namespace {

Error not_found(std::int64_t id) {
  return make_error(ErrorCode::task_not_found, "task " + std::to_string(id) + " not found");
}

}  // namespace

void Service::submit(Call& call, api::TaskSpec spec, SubmitView view) {
  // The owner is who submits: a user_id in the body (the prototype's) names nobody, so
  // neither a token nor a tokenless caller can plant a task on someone else.
  spec.owner = std::string(owner_name(call.principal));
  std::lock_guard lock(m_mutex);
  sched::Changes changes;
  const api::Task& task = m_sched.submit(std::move(spec), now(), changes);
  std::int64_t id = task.id;
  commit(changes, [reply = call.reply, id, view](const Status& status) {
    reply(status ? view(id) : saved_answer(status, 0, ""));
  });
}

void Service::get_task(Call& call, TaskView view) {
  std::lock_guard lock(m_mutex);
  const api::Task* task = m_sched.task(call.task_id);
  if (!task) return call.fail(not_found(call.task_id));
  if (Status ok = check_owns(call.principal, *task); !ok) return call.fail(ok.error());
  send_read(call, view(*task));
}

void Service::list_tasks(Call& call, const TaskQuery& query, ListView view) {
  auto limit = static_cast<std::size_t>(query.limit);
  std::lock_guard lock(m_mutex);
  std::string_view owner = owner_filter(call.principal);
  std::vector<const api::Task*> found;
  std::int64_t cursor = query.after;
  while (found.size() < limit) {
    std::vector<const api::Task*> batch = m_sched.list(query.state, cursor, limit, owner);
    for (const api::Task* task : batch) {
      cursor = task->id;
      if (query.finished_only && !api::is_finished(task->state)) continue;
      found.push_back(task);
      if (found.size() == limit) break;
    }
    if (batch.size() < limit) break;
  }
  std::optional<std::int64_t> next_after;
  if (found.size() == limit) next_after = found.back()->id;
  send_read(call, view(found, next_after));
}

void Service::wait_task(Call& call) {
  Result<std::int64_t> timeout =
      int_param(call.request, "timeout", 30, 0, call.options->max_wait_s);
  if (!timeout) return call.fail(timeout.error());
  std::int64_t id = call.task_id;
  std::lock_guard lock(m_mutex);
  const api::Task* task = m_sched.task(id);
  if (!task) return call.fail(not_found(id));
  if (Status ok = check_owns(call.principal, *task); !ok) return call.fail(ok.error());
  if (api::is_finished(task->state) || *timeout == 0 || m_stopped) {
    return send_read(call, task_json(*task));
  }
  if (!hold_wait_slot(call)) return;
  std::uint64_t serial = park(m_task_waiters, id, Parked{0, call.reply, 0, nullptr});
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

void Service::cancel_task(Call& call, TaskView view) {
  std::lock_guard lock(m_mutex);
  const api::Task* existing = m_sched.task(call.task_id);
  if (!existing) return call.fail(not_found(call.task_id));
  if (Status ok = check_owns(call.principal, *existing); !ok) return call.fail(ok.error());
  sched::Changes changes;
  Result<const api::Task*> task = m_sched.cancel(call.task_id, now(), changes);
  if (!task) return call.fail(task.error());
  std::string body = view(**task);
  commit(changes, [reply = call.reply, body = std::move(body)](const Status& status) {
    reply(saved_answer(status, 200, body));
  });
}

void Service::read_output(Call& call) {
  Result<std::int64_t> offset = int_param(call.request, "offset", 0, 0, INT64_MAX);
  if (!offset) return call.fail(offset.error());
  Result<std::int64_t> wait = int_param(call.request, "wait", 0, 0, call.options->max_wait_s);
  if (!wait) return call.fail(wait.error());
  std::int64_t id = call.task_id;
  std::lock_guard lock(m_mutex);
  const api::Task* task = m_sched.task(id);
  if (!task) return call.fail(not_found(id));
  if (Status ok = check_owns(call.principal, *task); !ok) return call.fail(ok.error());
  bool has_more = static_cast<std::size_t>(*offset) < task->output.size();
  if (has_more || api::is_finished(task->state) || *wait == 0 || m_stopped) {
    return send_read(call, output_json(*task, *offset));
  }
  if (!hold_wait_slot(call)) return;
  std::uint64_t serial = park(m_output_waiters, id, Parked{0, call.reply, *offset, nullptr});
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
