// GPUs through NVML, loaded at run time (libnvidia-ml.so.1 or the configured path), so a
// machine without NVIDIA's driver simply has no GPUs to report. One Nvml per thread;
// nvmlInit on load, nvmlShutdown on destruction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "idle/dynlib.hpp"
#include "idle/sample.hpp"

namespace ia::idle {

class Nvml {
 public:
  // Loads the library and initializes NVML; an Error says why there are no GPUs.
  static Result<Nvml> load(const std::string& path);
  Nvml(Nvml&& other) noexcept;
  Nvml& operator=(Nvml&&) = delete;
  ~Nvml();

  // Every GPU with its processes; lookup names a pid and says whether it is ours.
  GpuSample sample(const std::function<ProcessInfo(std::uint32_t)>& lookup) const;

  struct Api;  // the entry points found in the library (nvml.cpp)

 private:
  Nvml(DynLib lib, std::unique_ptr<Api> api, std::string path);
  DynLib m_lib;
  std::unique_ptr<Api> m_api;
  std::string m_path;
};

// A GpuSample for "no GPUs": present=false with why.
GpuSample no_gpus(const std::string& source, const std::string& why);

}  // namespace ia::idle
