// SchedulerLink over HTTP: the /v1 node routes of DESIGN.md §3, through http::LeanClient
// (not libcurl: the waiting agent's memory is the point). Safe to call from the agent's
// two threads (the client pools its connections).
#pragma once

#include <memory>
#include <string>

#include "http/lean_client.hpp"
#include "node/link.hpp"

namespace ia::node {

class HttpLink : public SchedulerLink {
 public:
  // Fails on a server URL that is not http:// or https://, or an unreadable CA bundle.
  static Result<std::unique_ptr<HttpLink>> create(const http::ClientOptions& options,
                                                  std::string node_id);

  Result<HeartbeatAnswer> heartbeat(const api::Heartbeat& beat) override;
  Result<std::optional<Lease>> lease(const api::Resources& free, Millis wait) override;
  Status append_output(std::int64_t task_id, std::int64_t lease_id,
                       std::optional<std::int64_t> offset,
                       const api::TaggedOutput& data) override;
  Status report_result(std::int64_t task_id, const std::string& body) override;
  void interrupt() override { m_poll_client->interrupt(); }

 private:
  HttpLink(std::unique_ptr<http::LeanClient> client,
           std::unique_ptr<http::LeanClient> poll_client, std::string node_id);

  std::unique_ptr<http::LeanClient> m_client;
  std::unique_ptr<http::LeanClient> m_poll_client;  // long polls only, so interrupt() spares the other calls
  std::string m_node_id;
};

// Reads a lease answer ({"task": {"task_id", "spec"}, "lease": {"lease_id"}}).
Result<Lease> parse_lease(const std::string& body);

}  // namespace ia::node
