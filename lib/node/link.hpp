// The node's side of the wire protocol, as an interface: heartbeat, lease (long-poll),
// live output, results. http_link.cpp speaks it over HTTP to ia-sched; the agent loop
// depends only on this. Implementations must be callable from two threads at once
// (the agent's loop and its lease thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/node.hpp"
#include "core/result.hpp"
#include "core/units.hpp"
#include "node/task_run.hpp"
#include "sandbox/sandbox.hpp"

namespace ia::node {

struct HeartbeatAnswer {
  std::vector<api::LeaseRef> cancel;  // leases the scheduler wants stopped
};

class SchedulerLink {
 public:
  virtual ~SchedulerLink() = default;
  virtual Result<HeartbeatAnswer> heartbeat(const api::Heartbeat& beat) = 0;
  // A lease, or nullopt when no work came within wait.
  virtual Result<std::optional<Lease>> lease(const api::Resources& free, Millis wait) = 0;
  // offset: where data starts in the task's output (nullopt: unknown, a spooled result),
  // so that a retried part is not appended twice.
  virtual Status append_output(std::int64_t task_id, std::int64_t lease_id,
                               std::optional<std::int64_t> offset,
                               const api::TaggedOutput& data) = 0;
  // ErrorCode::conflict when the lease is no longer current (the result is then moot).
  virtual Status report_result(std::int64_t task_id, const std::string& body) = 0;
  // Makes a lease() waiting in another thread return early (empty) so the agent can stop.
  virtual void interrupt() = 0;
};

// The POST /v1/tasks/{id}/result body for a finished (or vacated) run. output is what
// has not been streamed yet; output_cut: the node itself dropped some of it.
std::string result_body(std::int64_t lease_id, const Result<sandbox::Outcome>& outcome,
                        bool vacate, const api::TaggedOutput& output, bool output_cut = false);

}  // namespace ia::node
