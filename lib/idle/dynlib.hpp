// A shared library opened at run time (dlopen / LoadLibrary), so binaries run on machines
// without X11, D-Bus or a GPU driver. Closed when the DynLib is destroyed. Not copyable;
// one owner, one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"

namespace ia::idle {

class DynLib {
 public:
  static Result<DynLib> open(const std::string& name);
  DynLib(DynLib&&) noexcept = default;
  DynLib& operator=(DynLib&&) noexcept = default;
  ~DynLib();

  // The address of symbol, or nullptr when the library lacks it.
  void* symbol(const char* name) const;

  // Keeps the library loaded for the rest of the process: for libraries not meant to be
  // unloaded (Xlib), and because unmapping them at exit costs more than it frees.
  void keep_loaded() { m_handle.release(); }

  template <typename Fn>
  bool get(const char* name, Fn& out) const {
    out = reinterpret_cast<Fn>(symbol(name));
    return out != nullptr;
  }

 private:
  explicit DynLib(void* handle) : m_handle(handle) {}
  struct Closer {
    void operator()(void* handle) const;
  };
  std::unique_ptr<void, Closer> m_handle;
};

}  // namespace ia::idle
