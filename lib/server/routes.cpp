// Request routing: authentication, then the /v1 table, the legacy routes, /, /health.
#include <chrono>

#include "api/errors.hpp"
#include "core/strings.hpp"
#include "core/version.hpp"
#include "server/service.hpp"

namespace ia::server {
namespace {

bool is_public(const http::Request& request) {
  return request.path == "/" || request.path == "/health" || request.path == "/metrics";
}

Error not_found_route(const http::Request& request) {
  return make_error(ErrorCode::not_found, "no route " + request.method + " " + request.path,
                    "see the API in DESIGN.md §3 or man ia-sched");
}

Error method_not_allowed(const http::Request& request) {
  return make_error(ErrorCode::invalid_argument,
                    "method " + request.method + " is not allowed on " + request.path);
}

}  // namespace

void Service::handle(http::Request&& request, http::Reply reply) {
  auto started = std::chrono::steady_clock::now();
  // Parked long-polls are timed too; their wait shows in the histogram's top buckets.
  http::Reply timed = [this, started, reply = std::move(reply)](http::Response response) {
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    m_metrics.observe(took.count(), response.status);
    reply(std::move(response));
  };
  Call call{std::move(request), std::move(timed), {}, {}, false};
  for (std::string& part : split(call.request.path, '/')) {
    if (!part.empty()) call.segments.push_back(std::move(part));
  }
  // From the segments the dispatch uses, not the raw path: "//v1/tasks" routes as /v1, so
  // it must not pass as a legacy route that legacy_open lets in without a token.
  call.legacy = call.segments.empty() || call.segments[0] != "v1";
  if (Status allowed = authorize(call); !allowed) return call.fail(allowed.error());
  route(call);
}

Status Service::authorize(Call& call) {
  bool open;
  std::int64_t rate;
  {
    std::lock_guard lock(m_mutex);
    open = m_options.insecure || (call.legacy && m_options.legacy_open);
    rate = m_options.rate_limit;
  }
  if (open || is_public(call.request)) {
    call.principal = Principal{"anonymous", Role::admin};
  } else {
    Result<Principal> principal = check_token(request_token(call.request));
    IA_TRY(principal);
    call.principal = std::move(*principal);
  }
  // Anonymous callers (open routes) share one bucket per peer address.
  std::string bucket = call.principal.name == "anonymous" ? "@" + call.request.remote
                                                          : call.principal.name;
  if (!is_public(call.request) && !m_rate.allow(bucket, rate, now())) {
    return make_error(ErrorCode::rate_limited,
                      "more than " + std::to_string(rate) + " requests per second",
                      "slow down and retry; [sched] rate_limit sets the limit");
  }
  return {};
}

void Service::route(Call& call) {
  const std::string& method = call.request.method;
  if (call.request.path == "/" && method == "GET") {
    return call.send(200, R"({"service":"ia-sched","version":")" +
                              std::string(k_version) + R"(","api":"/v1"})");
  }
  if (call.request.path == "/health" && method == "GET") return health(call);
  if (call.request.path == "/metrics" && method == "GET") return metrics(call);
  if (!call.segments.empty() && call.segments[0] == "v1") return route_v1(call);
  if (route_legacy(call)) return;
  call.fail(not_found_route(call.request));
}

void Service::route_v1(Call& call) {
  const auto& s = call.segments;
  const std::string& method = call.request.method;
  auto task_id = [&](std::size_t index) -> std::optional<std::int64_t> {
    Result<std::int64_t> id = api::parse_task_id(s[index]);
    if (!id) {
      call.fail(id.error());
      return std::nullopt;
    }
    return *id;
  };
  auto node_id = [&](std::size_t index) -> std::optional<std::string> {
    if (Status ok = api::check_node_id(s[index]); !ok) {
      call.fail(ok.error());
      return std::nullopt;
    }
    return s[index];
  };
  auto expect = [&](std::string_view wanted) {
    if (method == wanted) return true;
    call.fail(method_not_allowed(call.request));
    return false;
  };
  std::size_t n = s.size();
  std::string head = n > 1 ? s[1] : "";
  if (head == "tasks" && n == 2) {
    if (method == "POST") {
      if (!call.allow({Role::client})) return;
      Result<api::TaskSpec> spec = api::parse_submit(call.request.body, m_options.limits);
      if (!spec) return call.fail(spec.error());
      return submit(call, std::move(*spec), false);
    }
    if (method == "DELETE") {
      if (call.allow({Role::client})) cancel_matching(call);  // cancel_filter.cpp
      return;
    }
    if (expect("GET") && call.allow({Role::client})) list_tasks(call);
    return;
  }
  if (head == "tasks" && n == 3) {
    auto id = task_id(2);
    if (!id) return;
    if (method == "GET") {
      if (call.allow({Role::client})) get_task(call, *id);
    } else if (expect("DELETE") && call.allow({Role::client})) {
      cancel_task(call, *id, false);
    }
    return;
  }
  if (head == "tasks" && n == 4) {
    auto id = task_id(2);
    if (!id) return;
    if (s[3] == "wait") {
      if (expect("GET") && call.allow({Role::client})) wait_task(call, *id);
    } else if (s[3] == "output") {
      if (method == "GET") {
        if (call.allow({Role::client})) read_output(call, *id);
      } else if (expect("POST") && call.allow({Role::node})) {
        append_output(call, *id);
      }
    } else if (s[3] == "result") {
      if (expect("POST") && call.allow({Role::node})) result(call, *id);
    } else {
      call.fail(not_found_route(call.request));
    }
    return;
  }
  if (head == "events" && n == 2) {
    if (expect("GET") && call.allow({Role::client})) events(call);
    return;
  }
  if (head == "nodes" && n == 2) {
    if (expect("GET") && call.allow({Role::client})) list_nodes(call);
    return;
  }
  if (head == "nodes" && (n == 3 || n == 4)) {
    auto id = node_id(2);
    if (!id) return;
    if (n == 3) {
      if (expect("GET") && call.allow({Role::client})) get_node(call, *id);
    } else if (s[3] == "heartbeat") {
      if (expect("POST") && call.allow({Role::node})) heartbeat(call, *id);
    } else if (s[3] == "lease") {
      if (expect("POST") && call.allow({Role::node})) lease(call, *id);
    } else {
      call.fail(not_found_route(call.request));
    }
    return;
  }
  if (head == "stats" && expect("GET") && call.allow({Role::client})) {
    if (n == 2) return stats(call);
    if (n == 4 && s[2] == "nodes" && s[3] == "top") return stats_top(call);
    if (n == 4 && s[2] == "nodes" && s[3] == "queue") return stats_queue(call);
    return call.fail(not_found_route(call.request));
  }
  if (head != "stats") call.fail(not_found_route(call.request));
}

}  // namespace ia::server
