// The Linux sources of user input idle time: X11 (XScreenSaver), systemd-logind over
// D-Bus, and terminal (tty/pts) access times. Each returns an InputSource that says
// whether it was present and why not; none of them fails the whole look.
#pragma once

#include <memory>
#include <string>

#include "idle/sample.hpp"

namespace ia::idle {

class X11Display;

// XScreenSaverQueryInfo on $DISPLAY over one connection held across looks (see
// x11_display_linux.hpp for why); libX11 and libXss are loaded only when DISPLAY is set.
class X11Idle {
 public:
  X11Idle();
  ~X11Idle();
  X11Idle(const X11Idle&) = delete;
  X11Idle& operator=(const X11Idle&) = delete;
  InputSource look();

 private:
  std::unique_ptr<X11Display> m_display;
};

// One look over a fresh connection (tests, one-shot callers).
InputSource x11_input_source();

// IdleHint, IdleSinceHint and LockedHint of every logind session on the system bus at
// address ("" = $DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket).
InputSource logind_input_source(const std::string& address);

// Like w(1): for each login in utmp, the access time of its terminal under root.
InputSource terminal_input_source(const std::string& root);

}  // namespace ia::idle
