// Whether the scheduler's registered nodes could ever run a task (sched::why_no_node_fits
// over GET /v1/nodes), for ia-submit's warning and --strict and ia-status's "waiting" line.
#pragma once

#include <string>

#include "api/task.hpp"
#include "client/scheduler.hpp"

namespace ia::client {

// "" when some node could run spec, or when the nodes cannot be listed (nothing is known,
// so nothing is claimed); else why none could.
std::string unmatched_reason(Scheduler& scheduler, const api::TaskSpec& spec);

// The same for a task as GET /v1/tasks/{id} shows it.
std::string unmatched_reason(Scheduler& scheduler, const json::Value& task);

}  // namespace ia::client
