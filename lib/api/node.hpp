// The node-side wire types: heartbeat, lease request, result report, and their answers'
// pieces. Parsing validates every field and names the bad one. Plain value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/task.hpp"
#include "core/result.hpp"

namespace ia::api {

// Node ids travel in URLs: 1 to 128 of [A-Za-z0-9._-].
Status check_node_id(std::string_view id);
// Task ids in URLs: a positive decimal 64-bit integer.
Result<std::int64_t> parse_task_id(std::string_view text);

struct LeaseRef {
  std::int64_t task_id = 0;
  std::int64_t lease_id = 0;
};

struct Heartbeat {
  Resources capacity;
  std::vector<std::string> labels;
  double load = 0;
  bool idle = true;
  std::vector<LeaseRef> leases;  // leases the node is running now
};

// POST /v1/nodes/{id}/heartbeat body.
Result<Heartbeat> parse_heartbeat(std::string_view body);
// POST /api/nodes/register (legacy): {"node_id", "capacity": {...}, "tags"?: {...}}.
Result<Heartbeat> parse_legacy_register(std::string_view body, std::string& node_id);

// POST /v1/nodes/{id}/lease body (may be empty): what the node can take right now.
struct LeaseRequest {
  std::optional<Resources> free;  // absent: the node's capacity minus its running leases
};
Result<LeaseRequest> parse_lease_request(std::string_view body);

struct ResultReport {
  std::int64_t lease_id = 0;
  std::optional<std::int64_t> exit_code;
  TaskState state = TaskState::succeeded;  // succeeded, failed or timed_out
  TaggedOutput output;                     // appended to what was streamed
  double wall_s = 0;
  std::string reason;
  bool vacate = false;  // the owner came back: requeue without penalty
  // The node dropped output past the task's limit (the sandbox cut a stream, or the
  // node could not keep what the scheduler did not take): the output shown is not all.
  bool output_truncated = false;
};
Result<ResultReport> parse_result(std::string_view body);

struct OutputChunk {
  std::int64_t lease_id = 0;
  TaggedOutput data;
  // Where data starts in the task's output, as its node counts it: a retried chunk
  // (its answer was lost) is then not appended twice. Absent from older nodes.
  std::optional<std::int64_t> offset;
};
Result<OutputChunk> parse_output_chunk(std::string_view body);

// PUT /v1/nodes/{id}/owner body: {"token_name": NAME}; "" leaves the node to no token.
Result<std::string> parse_reassign(std::string_view body);

// GET /v1/tasks/{id}/wait?timeout=S, lease?wait=S: seconds, 0 to max.
Result<std::int64_t> parse_wait_seconds(std::string_view name, std::string_view text,
                                        std::int64_t max);

}  // namespace ia::api
