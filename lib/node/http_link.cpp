#include "node/http_link.hpp"

#include "api/answers.hpp"
#include "json/writer.hpp"

namespace ia::node {

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
  Result<api::HeartbeatAnswer> parsed = api::parse_heartbeat_answer(json::serialize(*answer));
  if (!parsed) return std::move(parsed).error();
  return HeartbeatAnswer{std::move(parsed->cancel)};
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
  Result<api::LeaseAnswer> answer = api::parse_lease_answer(body);
  if (!answer) return std::move(answer).error();
  Lease result;
  result.task_id = answer->task_id;
  result.lease_id = answer->lease_id;
  result.output_offset = answer->output_offset;
  result.spec = std::move(answer->spec);
  return result;
}

}  // namespace ia::node
