// The answers a node gets (DESIGN.md §3): to a lease request, the task and its lease;
// to a heartbeat, the leases to cancel and the timing to keep. ia-sched writes them,
// ia-node reads them; both sides use these. Plain value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/node.hpp"
#include "api/task.hpp"
#include "core/result.hpp"

namespace ia::api {

struct LeaseAnswer {
  std::int64_t task_id = 0;
  std::int64_t attempt = 0;
  TaskSpec spec;  // written without its owner: a node is not told who submitted it
  std::int64_t lease_id = 0;
  double expires_in_s = 0;
  double heartbeat_interval_s = 0;
  // Where this run's output starts (earlier attempts' comes first): the node numbers its
  // output parts from here, so a retried part lands once. An older ia-sched sends none (0).
  std::int64_t output_offset = 0;
};
std::string write_lease_answer(const LeaseAnswer& answer);
Result<LeaseAnswer> parse_lease_answer(std::string_view body);

struct HeartbeatAnswer {
  std::vector<LeaseRef> cancel;  // leases the scheduler wants stopped
  double heartbeat_interval_s = 0;
  double lease_expiry_s = 0;
};
std::string write_heartbeat_answer(const HeartbeatAnswer& answer);
Result<HeartbeatAnswer> parse_heartbeat_answer(std::string_view body);

}  // namespace ia::api
