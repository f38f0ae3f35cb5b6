#include <windows.h>

#include "idle/dynlib.hpp"

namespace ia::idle {

Result<DynLib> DynLib::open(const std::string& name) {
  HMODULE module = ::LoadLibraryA(name.c_str());
  if (!module) {
    return make_error(ErrorCode::unavailable, "cannot load " + name + ": error " +
                                                  std::to_string(::GetLastError()));
  }
  return DynLib(reinterpret_cast<void*>(module));
}

DynLib::~DynLib() = default;

void DynLib::Closer::operator()(void* handle) const {
  ::FreeLibrary(reinterpret_cast<HMODULE>(handle));
}

void* DynLib::symbol(const char* name) const {
  return reinterpret_cast<void*>(
      ::GetProcAddress(reinterpret_cast<HMODULE>(m_handle.get()), name));
}

}  // namespace ia::idle
