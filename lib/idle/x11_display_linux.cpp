#include "idle/x11_display_linux.hpp"

#include <unistd.h>

#include <cstdlib>
#include <map>

namespace ia::idle {

namespace {

using IoErrorHandler = int (*)(XDisplay*);
using IoExitHandler = void (*)(XDisplay*, void*);

// Xlib calls this when the server goes away; returning lets it go on to the display's
// exit handler below instead of ending the process.
int on_io_error(XDisplay*) { return 0; }

void on_io_exit(XDisplay*, void* lost) { *static_cast<bool*>(lost) = true; }

// The older handler for a libX11 without XSetIOErrorExitHandler (before 1.7): Xlib ends
// the process after it; exit 2 (error), which ia-idle's callers do not read as "busy".
int on_io_error_fatal(XDisplay*) {
  static const char k_message[] = "ia: error: lost the connection to the X server\n";
  ssize_t ignored = ::write(2, k_message, sizeof k_message - 1);
  (void)ignored;
  ::_exit(2);
}

union XAnyEvent {
  int type;
  long pad[24];  // XEvent's size
};

}  // namespace

struct X11Display::Api {
  DynLib x11;
  std::map<std::string, DynLib> others;
  XDisplay* (*open)(const char*) = nullptr;
  int (*close)(XDisplay*) = nullptr;
  unsigned long (*root)(XDisplay*) = nullptr;
  int (*connection_number)(XDisplay*) = nullptr;
  int (*pending)(XDisplay*) = nullptr;
  int (*next_event)(XDisplay*, XAnyEvent*) = nullptr;
  IoErrorHandler (*set_io_error_handler)(IoErrorHandler) = nullptr;
  void (*set_io_exit_handler)(XDisplay*, IoExitHandler, void*) = nullptr;  // may be absent
};

X11Display::X11Display() : m_lost(std::make_unique<bool>(false)) {
  const char* display = std::getenv("DISPLAY");
  m_name = display ? display : "";
}

X11Display::~X11Display() { close(); }

XDisplay* X11Display::get() {
  if (m_display && *m_lost) close();
  if (m_display) return m_display;
  if (m_name.empty()) {
    m_why = "DISPLAY is not set";
    return nullptr;
  }
  if (!m_api) {
    Result<DynLib> x11 = DynLib::open("libX11.so.6");
    if (!x11) {
      m_why = x11.error().message;
      return nullptr;
    }
    auto api = std::make_unique<Api>(Api{std::move(*x11), {}});
    if (!api->x11.get("XOpenDisplay", api->open) || !api->x11.get("XCloseDisplay", api->close) ||
        !api->x11.get("XDefaultRootWindow", api->root) ||
        !api->x11.get("XConnectionNumber", api->connection_number) ||
        !api->x11.get("XPending", api->pending) || !api->x11.get("XNextEvent", api->next_event) ||
        !api->x11.get("XSetIOErrorHandler", api->set_io_error_handler)) {
      m_why = "libX11 lacks an expected function";
      return nullptr;
    }
    api->x11.get("XSetIOErrorExitHandler", api->set_io_exit_handler);
    m_api = std::move(api);
  }
  m_api->set_io_error_handler(m_api->set_io_exit_handler ? on_io_error : on_io_error_fatal);
  *m_lost = false;
  m_display = m_api->open(m_name.c_str());
  if (!m_display) {
    m_why = "cannot open display " + m_name;
    return nullptr;
  }
  if (m_api->set_io_exit_handler) m_api->set_io_exit_handler(m_display, on_io_exit, m_lost.get());
  m_why.clear();
  return m_display;
}

void X11Display::close() {
  if (!m_display) return;
  m_api->close(m_display);
  m_display = nullptr;
}

bool X11Display::survives_server_loss() const {
  return m_api && m_api->set_io_exit_handler != nullptr;
}

int X11Display::fd() const { return m_display ? m_api->connection_number(m_display) : -1; }

void* X11Display::x11_symbol(const char* name) const { return m_api ? m_api->x11.symbol(name) : nullptr; }

void* X11Display::symbol(const std::string& library, const char* name) {
  if (!m_api) return nullptr;
  auto it = m_api->others.find(library);
  if (it == m_api->others.end()) {
    Result<DynLib> lib = DynLib::open(library);
    if (!lib) return nullptr;
    it = m_api->others.emplace(library, std::move(*lib)).first;
  }
  return it->second.symbol(name);
}

unsigned long X11Display::root() const { return m_display ? m_api->root(m_display) : 0; }

bool X11Display::drain_events() {
  if (!m_display || *m_lost) return false;
  XAnyEvent event{};
  while (!*m_lost && m_api->pending(m_display) > 0) m_api->next_event(m_display, &event);
  return !*m_lost;
}

}  // namespace ia::idle
