#include "idle/dynlib.hpp"
#include "idle/input_linux.hpp"
#include "idle/x11_display_linux.hpp"

namespace ia::idle {

namespace {

// XScreenSaverInfo as scrnsaver.h declares it; the layout has not changed since 1992, and
// declaring it here keeps libXss's headers out of the build.
struct XssInfo {
  unsigned long window;
  int state;
  int kind;
  unsigned long til_or_since;
  unsigned long idle;
  unsigned long event_mask;
};

struct XssApi {
  int (*query_extension)(XDisplay*, int*, int*) = nullptr;
  XssInfo* (*alloc_info)() = nullptr;
  int (*query_info)(XDisplay*, unsigned long, XssInfo*) = nullptr;
  int (*free)(void*) = nullptr;
};

}  // namespace

X11Idle::X11Idle() : m_display(std::make_unique<X11Display>()) {}
X11Idle::~X11Idle() = default;

InputSource X11Idle::look() {
  InputSource source;
  source.name = "x11";
  XDisplay* display = m_display->get();
  if (!display) {
    source.detail = m_display->why();
    return source;
  }
  XssApi api;
  api.free = reinterpret_cast<int (*)(void*)>(m_display->x11_symbol("XFree"));
  api.query_extension = reinterpret_cast<int (*)(XDisplay*, int*, int*)>(
      m_display->symbol("libXss.so.1", "XScreenSaverQueryExtension"));
  api.alloc_info = reinterpret_cast<XssInfo* (*)()>(m_display->symbol("libXss.so.1", "XScreenSaverAllocInfo"));
  api.query_info = reinterpret_cast<int (*)(XDisplay*, unsigned long, XssInfo*)>(
      m_display->symbol("libXss.so.1", "XScreenSaverQueryInfo"));
  if (!api.free || !api.query_extension || !api.alloc_info || !api.query_info) {
    source.detail = "cannot load libXss.so.1 (install libxss1 for X11 idle time)";
    return source;
  }
  int event_base = 0, error_base = 0;
  XssInfo* info = nullptr;
  const std::string& name = m_display->name();
  if (!api.query_extension(display, &event_base, &error_base)) {
    source.detail = "display " + name + " lacks the MIT-SCREEN-SAVER extension";
  } else if (!(info = api.alloc_info()) || !api.query_info(display, m_display->root(), info)) {
    source.detail = "XScreenSaverQueryInfo failed";
  } else {
    source.present = true;
    source.idle_ms = static_cast<std::int64_t>(info->idle);
    source.detail = "XScreenSaver on " + name;
  }
  if (info) api.free(info);
  if (!m_display->survives_server_loss()) m_display->close();
  return source;
}

InputSource x11_input_source() { return X11Idle().look(); }

}  // namespace ia::idle
