// One connection to the X server on $DISPLAY, held across looks, whose loss does not end
// the process. Held because an X server started without -noreset resets itself, idle
// time included, each time its last client leaves: a connection per look kept the idle
// time under the look interval (issue 22: no work with node.check_interval under 1s).
// libX11 is loaded with dlopen; one X11Display per thread.
#pragma once

#include <memory>
#include <string>

#include "idle/dynlib.hpp"

namespace ia::idle {

struct XDisplayOpaque;
using XDisplay = XDisplayOpaque;

class X11Display {
 public:
  X11Display();
  ~X11Display();
  X11Display(const X11Display&) = delete;
  X11Display& operator=(const X11Display&) = delete;

  // The open display, connecting first when needed (again after a lost server); nullptr
  // with why() saying what is missing. A server that went away is noticed here.
  XDisplay* get();
  const std::string& why() const { return m_why; }
  const std::string& name() const { return m_name; }
  // Whether a lost server leaves the process running (libX11 1.7 and later). Without,
  // a held connection would let a logout end the process: close() after each look.
  bool survives_server_loss() const;
  void close();
  // The connection's socket, for poll/epoll; -1 when not connected.
  int fd() const;
  // Symbols of libX11 or of another library (loaded once, kept loaded).
  void* x11_symbol(const char* name) const;
  void* symbol(const std::string& library, const char* name);
  unsigned long root() const;
  // Reads what the server sent without blocking; false when the connection broke.
  bool drain_events();

 private:
  struct Api;

  std::unique_ptr<Api> m_api;
  XDisplay* m_display = nullptr;
  std::unique_ptr<bool> m_lost;  // set by Xlib's exit handler; its address is handed to Xlib
  std::string m_name;
  std::string m_why;
};

}  // namespace ia::idle
