#include <cstdlib>

#include "idle/dynlib.hpp"
#include "idle/input_linux.hpp"

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
using Display = struct XDisplayOpaque;

struct X11Api {
  Display* (*open)(const char*) = nullptr;
  int (*close)(Display*) = nullptr;
  unsigned long (*root)(Display*) = nullptr;
  int (*free)(void*) = nullptr;
  int (*query_extension)(Display*, int*, int*) = nullptr;
  XssInfo* (*alloc_info)() = nullptr;
  int (*query_info)(Display*, unsigned long, XssInfo*) = nullptr;
};

}  // namespace

InputSource x11_input_source() {
  InputSource source;
  source.name = "x11";
  const char* display_name = std::getenv("DISPLAY");
  if (!display_name || !*display_name) {
    source.detail = "DISPLAY is not set";
    return source;
  }
  Result<DynLib> x11 = DynLib::open("libX11.so.6");
  Result<DynLib> xss = x11 ? DynLib::open("libXss.so.1") : x11.error();
  if (!xss) {
    source.detail = xss.error().message + " (install libxss1 for X11 idle time)";
    return source;
  }
  X11Api api;
  if (!x11->get("XOpenDisplay", api.open) || !x11->get("XCloseDisplay", api.close) ||
      !x11->get("XDefaultRootWindow", api.root) || !x11->get("XFree", api.free) ||
      !xss->get("XScreenSaverQueryExtension", api.query_extension) ||
      !xss->get("XScreenSaverAllocInfo", api.alloc_info) ||
      !xss->get("XScreenSaverQueryInfo", api.query_info)) {
    source.detail = "libX11 or libXss lacks an expected function";
    return source;
  }
  // dlopen of a loaded library only counts a reference, so later looks are cheap.
  x11->keep_loaded();
  xss->keep_loaded();
  // A fresh connection per look: Xlib ends the process when a server it holds goes
  // away, so holding one open across --watch would let a logout kill us.
  Display* display = api.open(display_name);
  if (!display) {
    source.detail = std::string("cannot open display ") + display_name;
    return source;
  }
  int event_base = 0, error_base = 0;
  XssInfo* info = nullptr;
  if (!api.query_extension(display, &event_base, &error_base)) {
    source.detail = std::string("display ") + display_name + " lacks the MIT-SCREEN-SAVER extension";
  } else if (!(info = api.alloc_info()) || !api.query_info(display, api.root(display), info)) {
    source.detail = "XScreenSaverQueryInfo failed";
  } else {
    source.present = true;
    source.idle_ms = static_cast<std::int64_t>(info->idle);
    source.detail = std::string("XScreenSaver on ") + display_name;
  }
  if (info) api.free(info);
  api.close(display);
  return source;
}

}  // namespace ia::idle
