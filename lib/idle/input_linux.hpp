// The Linux sources of user input idle time: X11 (XScreenSaver), systemd-logind over
// D-Bus, and terminal (tty/pts) access times. Each returns an InputSource that says
// whether it was present and why not; none of them fails the whole look.
#pragma once

#include <string>

#include "idle/sample.hpp"

namespace ia::idle {

// XScreenSaverQueryInfo on $DISPLAY; libX11 and libXss are loaded only when DISPLAY is
// set, once per process, and stay loaded.
InputSource x11_input_source();

// IdleHint, IdleSinceHint and LockedHint of every logind session on the system bus at
// address ("" = $DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket).
InputSource logind_input_source(const std::string& address);

// Like w(1): for each login in utmp, the access time of its terminal under root.
InputSource terminal_input_source(const std::string& root);

}  // namespace ia::idle
