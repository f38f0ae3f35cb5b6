#include "json/writer.hpp"
#include "node/link.hpp"

namespace ia::node {
namespace {

std::string_view final_state(const sandbox::Outcome& outcome) {
  if (outcome.timed_out) return "timed_out";
  return outcome.exit_code == 0 ? "succeeded" : "failed";
}

// Which signal ended a task the sandbox ended (a limit, a cancel, a vacate).
std::string ended_by(const sandbox::Outcome& outcome) {
  if (outcome.ended_by == "SIGTERM") return " (ended by SIGTERM within its kill grace)";
  if (outcome.ended_by == "SIGKILL" && outcome.term_sent) {
    return " (SIGTERM, then SIGKILL when its kill grace ran out)";
  }
  if (outcome.ended_by == "SIGKILL") return " (SIGKILL)";
  return "";
}

std::string reason_for(const sandbox::Outcome& outcome) {
  if (outcome.oom_killed) return std::string(api::k_reason_memory);
  std::string how = ended_by(outcome);
  if (outcome.limit_hit == "cpu_time") return std::string(api::k_reason_cpu_time) + how;
  if (outcome.timed_out) return std::string(api::k_reason_timeout) + how;
  if (outcome.signal) return "killed by signal " + std::to_string(outcome.signal) + how;
  if (outcome.exit_code != 0) return "exited with code " + std::to_string(outcome.exit_code) + how;
  return how.empty() ? "" : "exited with code 0" + how;
}

}  // namespace

std::string result_body(std::int64_t lease_id, const Result<sandbox::Outcome>& outcome,
                        bool vacate, const api::TaggedOutput& output, bool output_cut) {
  json::Writer out;
  out.begin_object().field("lease_id", static_cast<long long>(lease_id));
  if (vacate) {
    out.field("vacate", true);
    std::string how = outcome ? ended_by(*outcome) : "";
    out.field("reason", "vacated: the machine's owner came back" + how);
  } else if (!outcome) {
    // 125, as ia-sandbox exits when it cannot start the command.
    out.field("status", "failed").field("exit_code", 125);
    out.field("reason", "the sandbox could not run the task: " + outcome.error().describe());
  } else {
    out.field("status", final_state(*outcome));
    out.field("exit_code", static_cast<long long>(outcome->exit_code));
    out.field("wall_time", static_cast<double>(outcome->wall_ms) / 1000.0);
    out.field("reason", reason_for(*outcome));
  }
  api::write_output(out, "output", output);
  // The sandbox keeps each stream up to the task's limit and drops the rest; what was
  // kept may still fit the scheduler's limit exactly, so it must be told.
  bool cut = output_cut || (outcome && (outcome->stdout_truncated || outcome->stderr_truncated));
  if (cut) out.field("output_truncated", true);
  out.end_object();
  return out.take();
}

}  // namespace ia::node
