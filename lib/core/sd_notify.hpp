// Tells systemd about a Type=notify service's state: one datagram to the socket named by
// $NOTIFY_SOCKET, the protocol of sd_notify(3), written here so that libsystemd is not
// linked. Without NOTIFY_SOCKET (a shell, cron, a test) nothing is sent. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ia {

// state is one or more "KEY=value" lines: "READY=1", "STOPPING=1", "RELOADING=1",
// "STATUS=listening on 127.0.0.1:8000".
Status notify_service_manager(std::string_view state);

// The same to an explicit address: a path ("/run/systemd/notify") or, with a leading
// '@', a name in the abstract namespace. What notify_service_manager sends through.
Status notify_socket(const std::string& address, std::string_view state);

}  // namespace ia
