// What keeps a web page in a user's browser from driving ia-sched (DESIGN.md §6): a page
// may send a "simple" cross-site POST (text/plain, a form) without asking, and a
// rebinding DNS name may point its own host name at 127.0.0.1. Pure functions.
#pragma once

#include "core/result.hpp"
#include "http/message.hpp"

namespace ia::server {

// A body must be application/json; an Origin header must name the host the request
// was sent to; for a tokenless caller (open modes) the Host must be an IP address or
// localhost, which no page's DNS name can pose as.
Status check_browser(const http::Request& request, bool tokenless);

}  // namespace ia::server
