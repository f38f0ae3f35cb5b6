#include <dlfcn.h>

#include "idle/dynlib.hpp"

namespace ia::idle {

Result<DynLib> DynLib::open(const std::string& name) {
  // RTLD_LOCAL: the libraries' own symbols must not resolve one another's (or ours).
  void* handle = ::dlopen(name.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    return make_error(ErrorCode::unavailable, "cannot load " + name + ": " + (why ? why : "?"));
  }
  return DynLib(handle);
}

DynLib::~DynLib() = default;

void DynLib::Closer::operator()(void* handle) const { ::dlclose(handle); }

void* DynLib::symbol(const char* name) const { return ::dlsym(m_handle.get(), name); }

}  // namespace ia::idle
