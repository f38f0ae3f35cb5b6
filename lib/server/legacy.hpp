// The earlier prototype's routes (DESIGN.md §3) as an adapter: each parses the
// prototype's request, calls the same service call as /v1, and writes the prototype's
// answer through its own views. The route table (routes.cpp) lists them.
#pragma once

#include "server/service.hpp"

namespace ia::server::legacy {

void submit(Service& service, Service::Call& call);
void status(Service& service, Service::Call& call);
void results(Service& service, Service::Call& call);
void cancel(Service& service, Service::Call& call);
void get_task(Service& service, Service::Call& call);
void submit_result(Service& service, Service::Call& call);
void register_node(Service& service, Service::Call& call);
void heartbeat(Service& service, Service::Call& call);
void nodes(Service& service, Service::Call& call);
void stats(Service& service, Service::Call& call);

}  // namespace ia::server::legacy
