#include "api/answers.hpp"

#include "api/fields.hpp"
#include "json/writer.hpp"

namespace ia::api {
namespace {

Error bad_answer(std::string_view what) {
  return make_error(ErrorCode::internal,
                    "the scheduler's answer is malformed: " + std::string(what),
                    "are ia-node and ia-sched the same version?");
}

}  // namespace

std::string write_lease_answer(const LeaseAnswer& answer) {
  json::Writer out;
  out.begin_object().key("task").begin_object();
  out.field("task_id", static_cast<long long>(answer.task_id));
  out.field("attempt", static_cast<long long>(answer.attempt));
  out.key("spec");
  TaskSpec spec = answer.spec;
  spec.owner.clear();
  write_spec(out, spec);
  out.end_object();
  out.key("lease").begin_object().field("lease_id", static_cast<long long>(answer.lease_id));
  out.field("expires_in", answer.expires_in_s);
  out.field("heartbeat_interval", answer.heartbeat_interval_s);
  out.field("output_offset", static_cast<long long>(answer.output_offset));
  out.end_object().end_object();
  return out.take();
}

Result<LeaseAnswer> parse_lease_answer(std::string_view body) {
  Result<json::Value> answer = json::parse(body);
  if (!answer) return bad_answer(answer.error().message);
  const json::Value* task = answer->find("task");
  const json::Value* lease = answer->find("lease");
  const json::Value* task_id = task ? task->find("task_id") : nullptr;
  const json::Value* spec = task ? task->find("spec") : nullptr;
  const json::Value* lease_id = lease ? lease->find("lease_id") : nullptr;
  if (!task_id || !task_id->is_int() || !lease_id || !lease_id->is_int() || !spec) {
    return bad_answer("task.task_id, task.spec or lease.lease_id missing");
  }
  // The spec travels in the submit body's own shape, so the submit parser reads it; the
  // server already applied its limits, so the reader's are generous.
  SubmitLimits generous{64u << 20, 365LL * 24 * 3600, 1LL << 40};
  Result<TaskSpec> parsed = parse_submit(json::serialize(*spec), generous);
  if (!parsed) return bad_answer(parsed.error().message);
  LeaseAnswer result;
  result.task_id = task_id->as_int();
  result.lease_id = lease_id->as_int();
  result.spec = std::move(parsed).value();
  if (const json::Value* attempt = task->find("attempt"); attempt && attempt->is_int()) {
    result.attempt = attempt->as_int();
  }
  if (const json::Value* expires = lease->find("expires_in"); expires && expires->is_number()) {
    result.expires_in_s = expires->as_double();
  }
  if (const json::Value* every = lease->find("heartbeat_interval"); every && every->is_number()) {
    result.heartbeat_interval_s = every->as_double();
  }
  if (const json::Value* at = lease->find("output_offset"); at && at->is_int()) {
    result.output_offset = at->as_int();
  }
  return result;
}

std::string write_heartbeat_answer(const HeartbeatAnswer& answer) {
  json::Writer out;
  out.begin_object().key("cancel").begin_array();
  for (const LeaseRef& ref : answer.cancel) {
    out.begin_object().field("task_id", static_cast<long long>(ref.task_id));
    out.field("lease_id", static_cast<long long>(ref.lease_id)).end_object();
  }
  out.end_array();
  out.field("heartbeat_interval", answer.heartbeat_interval_s);
  out.field("lease_expiry", answer.lease_expiry_s);
  out.end_object();
  return out.take();
}

Result<HeartbeatAnswer> parse_heartbeat_answer(std::string_view body) {
  Result<json::Value> answer = json::parse(body);
  if (!answer) return bad_answer(answer.error().message);
  HeartbeatAnswer result;
  if (const json::Value* cancel = answer->find("cancel"); cancel && cancel->is_array()) {
    for (const json::Value& item : cancel->as_array()) {
      const json::Value* task = item.find("task_id");
      const json::Value* lease = item.find("lease_id");
      if (task && task->is_int() && lease && lease->is_int()) {
        result.cancel.push_back({task->as_int(), lease->as_int()});
      }
    }
  }
  if (const json::Value* every = answer->find("heartbeat_interval"); every && every->is_number()) {
    result.heartbeat_interval_s = every->as_double();
  }
  if (const json::Value* expiry = answer->find("lease_expiry"); expiry && expiry->is_number()) {
    result.lease_expiry_s = expiry->as_double();
  }
  return result;
}

}  // namespace ia::api
