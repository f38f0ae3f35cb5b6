// DELETE /v1/tasks?status=S&name=GLOB: cancel every unfinished task of the caller's that
// matches, in one request and one store commit (ia-cancel --state / --name), rather than
// one request a task. A task that ends meanwhile is simply not among those cancelled.
#include <fnmatch.h>

#include "api/errors.hpp"
#include "server/service.hpp"
#include "server/views.hpp"

namespace ia::server {
namespace {

Result<std::optional<api::TaskState>> state_param(const http::Request& request) {
  const std::string* text = request.param("status");
  if (!text || text->empty()) return std::optional<api::TaskState>();
  std::optional<api::TaskState> state = api::parse_task_state(*text);
  if (!state || api::is_finished(*state)) {
    return make_error(ErrorCode::invalid_argument,
                      "status: '" + text->substr(0, 32) + "' is not a state a task can be "
                      "cancelled in",
                      "give queued, leased or running");
  }
  return state;
}

}  // namespace

void Service::cancel_matching(Call& call) {
  Result<std::optional<api::TaskState>> state = state_param(call.request);
  if (!state) return call.fail(state.error());
  const std::string* name = call.request.param("name");
  std::string glob = name ? *name : "";
  if (!*state && glob.empty()) {
    return call.fail(make_error(ErrorCode::invalid_argument,
                                "cancelling by filter needs status= or name=",
                                "name the tasks to cancel; DELETE /v1/tasks/{id} cancels one"));
  }
  std::lock_guard lock(m_mutex);
  std::vector<std::int64_t> ids;
  for (const api::Task* task : m_sched.list(*state, 0, SIZE_MAX, owner_filter(call.principal))) {
    if (api::is_finished(task->state)) continue;
    if (!glob.empty() && fnmatch(glob.c_str(), task->spec.name.c_str(), 0) != 0) continue;
    ids.push_back(task->id);
  }
  sched::Changes changes;
  json::Writer out;
  out.begin_object().key("cancelled").begin_array();
  for (std::int64_t id : ids) {
    if (m_sched.cancel(id, now(), changes)) out.integer(id);
  }
  out.end_array().end_object();
  commit(changes, [reply = call.reply, body = out.take()](const Status& status) {
    reply(saved_answer(status, 200, body));
  });
}

}  // namespace ia::server
