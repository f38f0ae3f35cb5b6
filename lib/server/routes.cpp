// The route table, and what every request goes through before its handler: the route
// is found, the caller is identified and checked against the route's principals, the
// browser and rate rules are applied.
#include "server/routes.hpp"

#include <array>
#include <chrono>

#include "api/errors.hpp"
#include "core/strings.hpp"
#include "core/version.hpp"
#include "server/browser_guard.hpp"
#include "server/legacy.hpp"
#include "server/params.hpp"
#include "server/service.hpp"
#include "server/views.hpp"
#include "server/web_assets.hpp"

namespace ia::server {
namespace {

using Call = Service::Call;

constexpr unsigned k_clients = k_admin | k_client | k_tokenless;
constexpr unsigned k_nodes = k_admin | k_node | k_tokenless;

constexpr std::int64_t k_default_limit = 100;
constexpr std::int64_t k_max_limit = 1000;

void root(Service&, Call& call) {
  call.send(200, R"({"service":"ia-sched","version":")" + std::string(k_version) +
                     R"(","api":"/v1"})");
}

void submit(Service& service, Call& call) {
  Result<api::TaskSpec> spec = api::parse_submit(call.request.body, call.options->limits);
  if (!spec) return call.fail(spec.error());
  service.submit(call, std::move(*spec), submitted_response);
}

void list_tasks(Service& service, Call& call) {
  Service::TaskQuery query;
  if (const std::string* text = call.request.param("status"); text && !text->empty()) {
    query.state = api::parse_task_state(*text);
    if (!query.state) {
      return call.fail(make_error(ErrorCode::invalid_argument,
                                  "status: unknown state '" + text->substr(0, 32) + "'",
                                  "states: queued leased running succeeded failed "
                                  "timed_out cancelled"));
    }
  }
  Result<std::int64_t> limit =
      int_param(call.request, "limit", k_default_limit, 1, k_max_limit);
  if (!limit) return call.fail(limit.error());
  Result<std::int64_t> after = int_param(call.request, "after", 0, 0, INT64_MAX);
  if (!after) return call.fail(after.error());
  query.limit = *limit;
  query.after = *after;
  service.list_tasks(call, query, task_list_json);
}

void get_task(Service& service, Call& call) { service.get_task(call, task_json); }
void cancel_task(Service& service, Call& call) { service.cancel_task(call, task_json); }
void cancel_matching(Service& service, Call& call) { service.cancel_matching(call); }
void wait_task(Service& service, Call& call) { service.wait_task(call); }
void read_output(Service& service, Call& call) { service.read_output(call); }
void append_output(Service& service, Call& call) { service.append_output(call); }

void result(Service& service, Call& call) {
  Result<api::ResultReport> report = api::parse_result(call.request.body);
  if (!report) return call.fail(report.error());
  service.finish(call, Service::Finish{std::move(*report), {}}, finished_json);
}

void heartbeat(Service& service, Call& call) {
  Result<api::Heartbeat> beat = api::parse_heartbeat(call.request.body);
  if (!beat) return call.fail(beat.error());
  service.heartbeat(call, std::move(*beat), Service::Beat::full, heartbeat_json);
}

void lease(Service& service, Call& call) {
  Service::LeaseAsk ask;
  if (const std::string* text = call.request.param("wait")) {
    Result<std::int64_t> wait =
        api::parse_wait_seconds("wait", *text, call.options->max_wait_s);
    if (!wait) return call.fail(wait.error());
    ask.wait_s = *wait;
  }
  Result<api::LeaseRequest> request = api::parse_lease_request(call.request.body);
  if (!request) return call.fail(request.error());
  ask.request = *request;
  service.lease(call, std::move(ask), lease_response);
}

void reassign(Service& service, Call& call) {
  Result<std::string> name = api::parse_reassign(call.request.body);
  if (!name) return call.fail(name.error());
  service.reassign(call, std::move(*name));
}

void list_nodes(Service& service, Call& call) { service.list_nodes(call, node_list_json); }
void get_node(Service& service, Call& call) { service.get_node(call); }
void stats(Service& service, Call& call) { service.stats(call, stats_json); }
void stats_top(Service& service, Call& call) { service.stats_top(call); }
void stats_queue(Service& service, Call& call) { service.stats_queue(call); }
void health(Service& service, Call& call) { service.health(call); }
void metrics(Service& service, Call& call) { service.metrics(call); }
void events(Service& service, Call& call) { service.events(call); }

// Who may call what. Reading this table answers it; nothing else in the server does.
constexpr std::array k_routes{
    Route{"GET", "/", k_public, root},
    Route{"GET", "/health", k_public, health},
    Route{"GET", "/metrics", k_public, metrics},
    Route{"POST", "/v1/tasks", k_clients, submit},
    Route{"GET", "/v1/tasks", k_clients, list_tasks},
    Route{"DELETE", "/v1/tasks", k_clients, cancel_matching},
    Route{"GET", "/v1/tasks/{task}", k_clients, get_task},
    Route{"DELETE", "/v1/tasks/{task}", k_clients, cancel_task},
    Route{"GET", "/v1/tasks/{task}/wait", k_clients, wait_task},
    Route{"GET", "/v1/tasks/{task}/output", k_clients, read_output},
    Route{"POST", "/v1/tasks/{task}/output", k_nodes, append_output},
    Route{"POST", "/v1/tasks/{task}/result", k_nodes, result},
    Route{"GET", "/v1/events", k_clients, events},
    Route{"GET", "/v1/nodes", k_clients, list_nodes},
    Route{"GET", "/v1/nodes/{node}", k_clients, get_node},
    Route{"POST", "/v1/nodes/{node}/heartbeat", k_nodes, heartbeat},
    Route{"POST", "/v1/nodes/{node}/lease", k_nodes, lease},
    Route{"PUT", "/v1/nodes/{node}/owner", k_admin, reassign},
    Route{"GET", "/v1/stats", k_clients, stats},
    Route{"GET", "/v1/stats/nodes/top", k_clients, stats_top},
    Route{"GET", "/v1/stats/nodes/queue", k_clients, stats_queue},
    // The earlier prototype's routes, through the legacy adapter.
    Route{"POST", "/submit", k_clients | k_legacy_open, legacy::submit},
    Route{"GET", "/status/{task}", k_clients | k_legacy_open, legacy::status},
    Route{"GET", "/results", k_clients | k_legacy_open, legacy::results},
    Route{"DELETE", "/api/tasks/{task}", k_clients | k_legacy_open, legacy::cancel},
    Route{"GET", "/api/nodes", k_clients | k_legacy_open, legacy::nodes},
    Route{"GET", "/stats", k_clients | k_legacy_open, legacy::stats},
    Route{"GET", "/get_task", k_nodes | k_legacy_open, legacy::get_task},
    Route{"POST", "/submit_result", k_nodes | k_legacy_open, legacy::submit_result},
    Route{"POST", "/api/nodes/register", k_nodes | k_legacy_open, legacy::register_node},
    Route{"POST", "/api/nodes/{node}/heartbeat", k_nodes | k_legacy_open, legacy::heartbeat},
};

bool matches(std::string_view pattern, const std::vector<std::string>& segments) {
  std::size_t index = 0;
  for (const std::string& part : split(pattern, '/')) {
    if (part.empty()) continue;
    if (index >= segments.size()) return false;
    if (part.front() != '{' && part != segments[index]) return false;
    ++index;
  }
  return index == segments.size();
}

Error tokenless_refused(const Route& route, const ServiceOptions& options) {
  bool legacy = (route.who & k_legacy_open) != 0;
  return make_error(ErrorCode::unauthorized, "no token",
                    legacy && options.legacy_open
                        ? "legacy_open serves callers without a token only from [sched] "
                          "legacy_networks; send Authorization: Bearer TOKEN"
                        : "send Authorization: Bearer TOKEN; an admin creates one with "
                          "'ia-sched token create --role client'");
}

bool tokenless_admitted(const Route& route, const ServiceOptions& options,
                        std::string_view remote) {
  if (options.insecure && (route.who & k_tokenless)) return true;
  return options.legacy_open && (route.who & k_legacy_open) &&
         in_networks(options.legacy_networks, remote);
}

Error forbidden(const Call& call) {
  return make_error(ErrorCode::forbidden,
                    std::string(describe(call.principal)) + " may not " + call.request.method +
                        " " + call.request.path,
                    "use a token with the right role (man ia-sched, SECURITY)");
}

Error too_many(std::int64_t rate, std::string_view key) {
  return make_error(ErrorCode::rate_limited,
                    "more than " + std::to_string(rate) + " requests per second",
                    "slow down and retry; [sched] " + std::string(key) + " sets the limit");
}

}  // namespace

unsigned who_bit(Kind kind) {
  switch (kind) {
    case Kind::tokenless: return k_tokenless | k_legacy_open;
    case Kind::admin: return k_admin;
    case Kind::client: return k_client;
    case Kind::node: return k_node;
  }
  return 0;
}

std::span<const Route> route_table() { return k_routes; }

Result<const Route*> find_route(std::string_view method, const std::vector<std::string>& segments,
                                std::string_view path) {
  bool path_known = false;
  for (const Route& route : k_routes) {
    if (!matches(route.pattern, segments)) continue;
    if (route.method == method) return &route;
    path_known = true;
  }
  if (path_known) {
    return make_error(ErrorCode::invalid_argument,
                      "method " + std::string(method) + " is not allowed on " + std::string(path));
  }
  return make_error(ErrorCode::not_found, "no route " + std::string(method) + " " +
                                              std::string(path),
                    "see the API in man ia-sched");
}

Status bind_params(const Route& route, Call& call, const std::vector<std::string>& segments) {
  std::size_t index = 0;
  for (const std::string& part : split(route.pattern, '/')) {
    if (part.empty()) continue;
    const std::string& value = segments[index++];
    if (part == "{task}") {
      Result<std::int64_t> id = api::parse_task_id(value);
      IA_TRY(id);
      call.task_id = *id;
    } else if (part == "{node}") {
      IA_TRY(api::check_node_id(value));
      call.node_id = value;
    }
  }
  return {};
}

void Service::handle(http::Request&& request, http::Reply reply) {
  if (serve_web(web_bundle(), request, reply)) return;  // public (DESIGN.md §6)
  auto started = std::chrono::steady_clock::now();
  // Parked long-polls are timed too; their wait shows in the histogram's top buckets.
  http::Reply timed = [this, started, reply = std::move(reply)](http::Response response) {
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    m_metrics.observe(took.count(), response.status);
    reply(std::move(response));
  };
  Call call{std::move(request), std::move(timed), {}, {}, 0, {}};
  std::vector<std::string> segments;
  for (std::string& part : split(call.request.path, '/')) {
    if (!part.empty()) segments.push_back(std::move(part));
  }
  Result<const Route*> route = find_route(call.request.method, segments, call.request.path);
  if (!route) return call.fail(route.error());
  if (Status allowed = authorize(call, **route); !allowed) return call.fail(allowed.error());
  if (refuse_while_down(call)) return;
  if (Status bound = bind_params(**route, call, segments); !bound) {
    return call.fail(bound.error());
  }
  (*route)->handler(*this, call);
}

Status Service::authorize(Call& call, const Route& route) {
  {
    std::lock_guard lock(m_mutex);
    call.options = m_options;
  }
  const ServiceOptions& options = *call.options;
  bool open_route = (route.who & k_public) != 0;
  std::string_view token = request_token(call.request);
  if (!token.empty()) {
    Result<Principal> principal = check_token(token);
    if (principal) {
      call.principal = std::move(*principal);
    } else if (!open_route) {
      return principal.error();
    }
  } else if (!open_route && !tokenless_admitted(route, options, call.request.remote)) {
    return tokenless_refused(route, options);
  }
  if (open_route) {
    if (!m_open_rate.allow("@" + call.request.remote, options.open_rate_limit, now())) {
      return too_many(options.open_rate_limit, "open_rate_limit");
    }
    return {};
  }
  if (!(route.who & who_bit(call.principal.kind))) return forbidden(call);
  IA_TRY(check_browser(call.request, call.principal.is(Kind::tokenless)));
  // Tokenless callers share one bucket per peer address.
  std::string bucket = call.principal.is(Kind::tokenless) ? "@" + call.request.remote
                                                          : call.principal.name;
  if (!m_rate.allow(bucket, options.rate_limit, now())) {
    return too_many(options.rate_limit, "rate_limit");
  }
  return {};
}

}  // namespace ia::server
