// The API's access policy in one table (DESIGN.md §3, §6): each route's method, path,
// the principals that may call it, and the handler. Legacy routes are in it too, with
// handlers from the legacy adapter (legacy.hpp) onto the same service calls.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "server/service.hpp"

namespace ia::server {

// Who may call a route. A tokenless caller exists only in an open mode: --insecure (every
// route marked k_tokenless) or [sched] legacy_open (routes marked k_legacy_open, and only
// from [sched] legacy_networks). Never admin: it reaches tokenless tasks and unowned nodes.
enum Who : unsigned {
  k_admin = 1U << 0,
  k_client = 1U << 1,
  k_node = 1U << 2,
  k_tokenless = 1U << 3,
  k_legacy_open = 1U << 4,
  k_public = 1U << 5,  // anyone, with or without a token (rate-limited per address)
};

unsigned who_bit(Kind kind);

struct Route {
  std::string_view method;
  std::string_view pattern;  // "/v1/tasks/{task}/output": {task} a task id, {node} a node id
  unsigned who;
  void (*handler)(Service& service, Service::Call& call);
};

std::span<const Route> route_table();

// The route for method and segments (the path split on '/', empty parts dropped), or
// the error to answer: no such path (404), or not with this method (400).
Result<const Route*> find_route(std::string_view method, const std::vector<std::string>& segments,
                                std::string_view path);
// Fills call.task_id and call.node_id from the route's placeholders.
Status bind_params(const Route& route, Service::Call& call,
                   const std::vector<std::string>& segments);

}  // namespace ia::server
