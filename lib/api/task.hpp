// The task wire types (DESIGN.md §3, §4): states and their legacy words, the submit body,
// the task as the API shows it. Parsing validates every field and names the bad one.
// Plain value types; thread safe to copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/output.hpp"
#include "core/result.hpp"
#include "json/writer.hpp"

namespace ia::api {

enum class TaskState { queued, leased, running, succeeded, failed, timed_out, cancelled };

std::string_view to_string(TaskState state);
std::optional<TaskState> parse_task_state(std::string_view text);
// The earlier prototype's words: queued reads "pending", leased "assigned", ...
std::string_view legacy_status(TaskState state);
bool is_finished(TaskState state);

struct Resources {
  double cpu = 1.0;
  std::int64_t memory_mib = 512;
  std::int64_t gpu = 0;
};

// What a submission may ask for; the server fills these from [sched] keys.
struct SubmitLimits {
  std::size_t max_code = 1024 * 1024;
  std::int64_t max_timeout_s = 7 * 24 * 3600;
  std::int64_t max_output = 64LL * 1024 * 1024;
  // Refuse NUL bytes and control characters where they cannot work (Chars). Off for
  // specs read back from the store: earlier versions accepted them, and a stored task
  // must load.
  bool check_chars = true;
};

// What a task gets when it asks for nothing else (ia-submit(1) documents them).
inline constexpr std::int64_t k_default_output_limit = 1024 * 1024;  // bytes, both streams
inline constexpr std::int64_t k_default_kill_grace_s = 10;
inline constexpr std::int64_t k_max_kill_grace_s = 3600;

// How a node's reason for an ended task begins, so that clients can add what to do about
// it ("ask more with --memory") without parsing free text.
inline constexpr std::string_view k_reason_memory = "killed: over its memory limit";
inline constexpr std::string_view k_reason_timeout = "killed: over its time limit";
inline constexpr std::string_view k_reason_cpu_time = "killed: over its CPU time limit";

struct TaskSpec {
  std::string code;
  std::string interpreter;
  std::string name;
  std::vector<std::string> args;
  std::int64_t timeout_s = 300;
  Resources resources;
  std::int64_t priority = 0;
  std::vector<std::pair<std::string, std::string>> env;
  std::int64_t max_retries = 3;
  std::vector<std::string> labels;  // "key=value" the node must carry
  std::int64_t output_limit = k_default_output_limit;
  // Standard input, bounded as the script is ([sched] max_code); "" for none.
  std::string stdin_data;
  // Seconds between SIGTERM and SIGKILL when a cancel, timeout or vacate ends the task.
  std::int64_t kill_grace_s = k_default_kill_grace_s;
  std::string owner;                // token name or legacy user_id
};

// POST /v1/tasks body. Unknown fields are ignored; missing "code" is an error.
Result<TaskSpec> parse_submit(std::string_view body, const SubmitLimits& limits);
// POST /submit (legacy): {"code", "timeout"?, "resources"?, "user_id"?}.
Result<TaskSpec> parse_legacy_submit(std::string_view body, const SubmitLimits& limits);

// {"cpu": 1.0, "memory": 512, "gpu": 0} under key (memory in MiB), the one shape of
// resources on the wire: requests, capacity, free capacity.
void write_resources(json::Writer& out, std::string_view key, const Resources& resources);

// The spec as an object (the same shape parse_submit reads; the store keeps it so).
void write_spec(json::Writer& out, const TaskSpec& spec);

struct Task {
  std::int64_t id = 0;
  TaskSpec spec;
  TaskState state = TaskState::queued;
  std::int64_t attempt = 0;         // leases lost so far (expiry); vacates do not count
  std::int64_t created_ms = 0;
  std::int64_t started_ms = 0;      // current or last lease grant
  std::int64_t finished_ms = 0;
  std::string node_id;              // current or last node
  // The current lease, or the last one: live only while leased or running. Kept after
  // the lease ends, so a restarted ia-sched (which counts on from the highest it finds)
  // never grants this task the same id again and takes a stale result as current.
  std::int64_t lease_id = 0;
  std::int64_t lease_expires_ms = 0;
  std::optional<std::int64_t> exit_code;
  double wall_s = 0;
  std::string reason;               // why it failed or was cancelled
  TaggedOutput output;              // streamed and final output, up to output_limit
  bool output_truncated = false;
  bool cancel_requested = false;    // running: the node learns it from its next heartbeat
};

// The task as GET /v1/tasks/{id} shows it; the code only when with_code.
void write_task(json::Writer& out, const Task& task, bool with_code);

}  // namespace ia::api
