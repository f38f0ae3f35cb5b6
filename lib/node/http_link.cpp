#include "node/http_link.hpp"

#include "json/writer.hpp"

namespace ia::node {
namespace {

Error bad_answer(const std::string& what) {
  return make_error(ErrorCode::internal, "the scheduler's lease answer is malformed: " + what,
                    "are ia-node and ia-sched the same version?");
}

}  // namespace

Result<std::unique_ptr<HttpLink>> HttpLink::create(const http::ClientOptions& options,
                                                   std::string node_id) {
  Result<std::unique_ptr<http::LeanClient>> client = http::LeanClient::create(options);
  if (!client) return std::move(client).error();
  Result<std::unique_ptr<http::LeanClient>> poll_client = http::LeanClient::create(options);
  if (!poll_client) return std::move(poll_client).error();
  return std::unique_ptr<HttpLink>(new HttpLink(std::move(client).value(),
                                                std::move(poll_client).value(), std::move(node_id)));
}

HttpLink::HttpLink(std::unique_ptr<http::LeanClient> client,
                   std::unique_ptr<http::LeanClient> poll_client, std::string node_id)
    : m_client(std::move(client)),
      m_poll_client(std::move(poll_client)),
      m_node_id(std::move(node_id)) {}

Result<HeartbeatAnswer> HttpLink::heartbeat(const api::Heartbeat& beat) {
  json::Writer out;
  out.begin_object();
  api::write_resources(out, "capacity", beat.capacity);
  out.key("labels").begin_array();
  for (const std::string& label : beat.labels) out.string(label);
  out.end_array();
  out.field("load", beat.load).field("idle", beat.idle);
  out.key("leases").begin_array();
  for (const api::LeaseRef& lease : beat.leases) {
    out.begin_object().field("task_id", static_cast<long long>(lease.task_id));
    out.field("lease_id", static_cast<long long>(lease.lease_id)).end_object();
  }
  out.end_array().end_object();
  Result<json::Value> answer =
      http::json_or_error(m_client->post("/v1/nodes/" + m_node_id + "/heartbeat", out.take()));
  if (!answer) return std::move(answer).error();
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
  return result;
}

Result<std::optional<Lease>> HttpLink::lease(const api::Resources& free, Millis wait) {
  json::Writer out;
  out.begin_object();
  api::write_resources(out, "free", free);
  out.end_object();
  std::string path = "/v1/nodes/" + m_node_id + "/lease?wait=" + std::to_string(wait.count() / 1000);
  Result<http::ClientResponse> response = m_poll_client->post(path, out.take(), wait + Millis(10'000));
  if (!response && response.error().code == ErrorCode::timeout) return std::optional<Lease>();
  if (response && response->status == 204) return std::optional<Lease>();
  Result<json::Value> answer = http::json_or_error(response);
  if (!answer) return std::move(answer).error();
  Result<Lease> lease = parse_lease(json::serialize(*answer));
  if (!lease) return std::move(lease).error();
  return std::optional<Lease>(std::move(lease).value());
}

Status HttpLink::append_output(std::int64_t task_id, std::int64_t lease_id,
                               std::optional<std::int64_t> offset,
                               const api::TaggedOutput& data) {
  json::Writer out;
  out.begin_object().field("lease_id", static_cast<long long>(lease_id));
  if (offset) out.field("offset", static_cast<long long>(*offset));
  api::write_output(out, "data", data);
  out.end_object();
  Result<json::Value> answer = http::json_or_error(
      m_client->post("/v1/tasks/" + std::to_string(task_id) + "/output", out.take()));
  if (!answer) return std::move(answer).error();
  return {};
}

Status HttpLink::report_result(std::int64_t task_id, const std::string& body) {
  Result<json::Value> answer = http::json_or_error(
      m_client->post("/v1/tasks/" + std::to_string(task_id) + "/result", body));
  if (!answer) return std::move(answer).error();
  return {};
}

Result<Lease> parse_lease(const std::string& body) {
  Result<json::Value> answer = json::parse(body);
  if (!answer) return std::move(answer).error();
  const json::Value* task = answer->find("task");
  const json::Value* lease = answer->find("lease");
  const json::Value* task_id = task ? task->find("task_id") : nullptr;
  const json::Value* spec = task ? task->find("spec") : nullptr;
  const json::Value* lease_id = lease ? lease->find("lease_id") : nullptr;
  if (!task_id || !task_id->is_int() || !lease_id || !lease_id->is_int() || !spec) {
    return bad_answer("task.task_id, task.spec or lease.lease_id missing");
  }
  // The spec travels in the submit body's own shape, so the submit parser reads it; the
  // server already applied its limits, so the node's are generous.
  api::SubmitLimits generous{64u << 20, 365LL * 24 * 3600, 1LL << 40};
  Result<api::TaskSpec> parsed = api::parse_submit(json::serialize(*spec), generous);
  if (!parsed) return bad_answer(parsed.error().message);
  Lease result;
  result.task_id = task_id->as_int();
  result.lease_id = lease_id->as_int();
  // Earlier attempts' output comes first; an older ia-sched does not say (0).
  if (const json::Value* at = lease->find("output_offset"); at && at->is_int()) {
    result.output_offset = at->as_int();
  }
  result.spec = std::move(parsed).value();
  return result;
}

}  // namespace ia::node
