#include "idle/nvml.hpp"

#include <algorithm>
#include <map>
#include <vector>

namespace ia::idle {

namespace {

// The few NVML types used, as nvml.h declares them (stable C ABI since driver 319).
using NvmlReturn = int;
using NvmlDevice = struct NvmlDeviceOpaque*;
constexpr NvmlReturn k_success = 0;
constexpr NvmlReturn k_insufficient_size = 7;
constexpr unsigned long long k_value_not_available = ~0ull;
struct NvmlUtilization { unsigned gpu; unsigned memory; };
struct NvmlMemory { unsigned long long total; unsigned long long free; unsigned long long used; };
struct NvmlProcessV1 { unsigned pid; unsigned long long used_memory; };
struct NvmlProcessV3 {
  unsigned pid;
  unsigned long long used_memory;
  unsigned gpu_instance_id;
  unsigned compute_instance_id;
};

}  // namespace

struct Nvml::Api {
  NvmlReturn (*init)() = nullptr;
  NvmlReturn (*shutdown)() = nullptr;
  const char* (*error_string)(NvmlReturn) = nullptr;
  NvmlReturn (*count)(unsigned*) = nullptr;
  NvmlReturn (*handle)(unsigned, NvmlDevice*) = nullptr;
  NvmlReturn (*name)(NvmlDevice, char*, unsigned) = nullptr;
  NvmlReturn (*utilization)(NvmlDevice, NvmlUtilization*) = nullptr;
  NvmlReturn (*memory)(NvmlDevice, NvmlMemory*) = nullptr;
  // Drivers since 510 have the _v3 list; older ones only the first struct layout.
  NvmlReturn (*compute_v3)(NvmlDevice, unsigned*, NvmlProcessV3*) = nullptr;
  NvmlReturn (*graphics_v3)(NvmlDevice, unsigned*, NvmlProcessV3*) = nullptr;
  NvmlReturn (*compute_v1)(NvmlDevice, unsigned*, NvmlProcessV1*) = nullptr;
  NvmlReturn (*graphics_v1)(NvmlDevice, unsigned*, NvmlProcessV1*) = nullptr;

  std::string error(NvmlReturn code) const {
    const char* text = error_string ? error_string(code) : nullptr;
    return (text ? std::string(text) : "NVML error") + " (" + std::to_string(code) + ")";
  }
};

namespace {

template <typename Info, typename Fn>
NvmlReturn list_processes(Fn fn, NvmlDevice device, std::map<std::uint32_t, GpuProcess>& out) {
  std::vector<Info> infos(8);
  unsigned count = 0;
  NvmlReturn rc = k_insufficient_size;
  // The list may grow between the calls; a few rounds settle it.
  for (int round = 0; round < 4 && rc == k_insufficient_size; ++round) {
    count = static_cast<unsigned>(infos.size());
    rc = fn(device, &count, infos.data());
    if (rc == k_insufficient_size) infos.resize(std::max<std::size_t>(count + 8, infos.size() * 2));
  }
  if (rc != k_success) return rc;
  for (unsigned i = 0; i < count && i < infos.size(); ++i) {
    GpuProcess& p = out[infos[i].pid];
    p.pid = infos[i].pid;
    if (infos[i].used_memory != k_value_not_available) {
      p.memory_bytes = p.memory_bytes.value_or(0) + infos[i].used_memory;
    }
  }
  return k_success;
}

}  // namespace

GpuSample no_gpus(const std::string& source, const std::string& why) {
  GpuSample sample;
  sample.source = source;
  sample.detail = why;
  return sample;
}

Result<Nvml> Nvml::load(const std::string& path) {
  Result<DynLib> lib = DynLib::open(path);
  if (!lib) return make_error(ErrorCode::unavailable, "no NVIDIA driver: " + lib.error().message);
  auto api = std::make_unique<Api>();
  bool ok = lib->get("nvmlInit_v2", api->init) && lib->get("nvmlShutdown", api->shutdown) &&
            lib->get("nvmlDeviceGetCount_v2", api->count) &&
            lib->get("nvmlDeviceGetHandleByIndex_v2", api->handle);
  if (!ok) return make_error(ErrorCode::unsupported, path + " lacks the NVML v2 entry points");
  lib->get("nvmlErrorString", api->error_string);
  lib->get("nvmlDeviceGetName", api->name);
  lib->get("nvmlDeviceGetUtilizationRates", api->utilization);
  lib->get("nvmlDeviceGetMemoryInfo", api->memory);
  lib->get("nvmlDeviceGetComputeRunningProcesses_v3", api->compute_v3);
  lib->get("nvmlDeviceGetGraphicsRunningProcesses_v3", api->graphics_v3);
  lib->get("nvmlDeviceGetComputeRunningProcesses", api->compute_v1);
  lib->get("nvmlDeviceGetGraphicsRunningProcesses", api->graphics_v1);
  NvmlReturn rc = api->init();
  if (rc != k_success) {
    return make_error(ErrorCode::unavailable, "NVML did not start: " + api->error(rc));
  }
  return Nvml(std::move(*lib), std::move(api), path);
}

Nvml::Nvml(DynLib lib, std::unique_ptr<Api> api, std::string path)
    : m_lib(std::move(lib)), m_api(std::move(api)), m_path(std::move(path)) {}

Nvml::Nvml(Nvml&& other) noexcept
    : m_lib(std::move(other.m_lib)), m_api(std::move(other.m_api)), m_path(std::move(other.m_path)) {}

Nvml::~Nvml() {
  if (m_api) m_api->shutdown();
}

namespace {

void add_processes(const Nvml::Api& api, NvmlDevice device, GpuDevice& gpu,
                   const std::function<ProcessInfo(std::uint32_t)>& lookup) {
  std::map<std::uint32_t, GpuProcess> by_pid;
  std::vector<std::string> errors;
  auto note = [&](const char* what, NvmlReturn rc) {
    if (rc != k_success) errors.push_back(std::string(what) + ": " + api.error(rc));
  };
  // Drivers that have the _v3 symbol but not the feature answer NOT_SUPPORTED (3) or
  // FUNCTION_NOT_FOUND (13); the first layout still works there.
  auto fallback = [](NvmlReturn rc) { return rc == 3 || rc == 13; };
  NvmlReturn rc = api.compute_v3 ? list_processes<NvmlProcessV3>(api.compute_v3, device, by_pid) : 13;
  if (fallback(rc) && api.compute_v1) rc = list_processes<NvmlProcessV1>(api.compute_v1, device, by_pid);
  note("compute processes", rc);
  rc = api.graphics_v3 ? list_processes<NvmlProcessV3>(api.graphics_v3, device, by_pid) : 13;
  if (fallback(rc) && api.graphics_v1) rc = list_processes<NvmlProcessV1>(api.graphics_v1, device, by_pid);
  note("graphics processes", rc);
  for (auto& [pid, process] : by_pid) {
    ProcessInfo info = lookup(pid);
    process.name = info.name;
    process.own = info.own;
    gpu.processes.push_back(process);
  }
  if (!errors.empty()) gpu.detail += (gpu.detail.empty() ? "" : "; ") + errors.front();
}

}  // namespace

GpuSample Nvml::sample(const std::function<ProcessInfo(std::uint32_t)>& lookup) const {
  GpuSample sample;
  sample.source = "nvml (" + m_path + ")";
  unsigned count = 0;
  NvmlReturn rc = m_api->count(&count);
  if (rc != k_success) return no_gpus(sample.source, "cannot count GPUs: " + m_api->error(rc));
  sample.present = true;
  for (unsigned i = 0; i < count && i < 64; ++i) {
    GpuDevice gpu;
    gpu.index = i;
    NvmlDevice device = nullptr;
    if ((rc = m_api->handle(i, &device)) != k_success) {
      gpu.detail = "cannot open: " + m_api->error(rc);
      sample.devices.push_back(gpu);
      continue;
    }
    char name[96] = {};
    if (m_api->name && m_api->name(device, name, sizeof name - 1) == k_success) gpu.name = name;
    NvmlUtilization util{};
    if (m_api->utilization && (rc = m_api->utilization(device, &util)) == k_success) {
      gpu.utilization = std::min(util.gpu, 100u);
    }
    NvmlMemory memory{};
    if (m_api->memory && m_api->memory(device, &memory) == k_success) {
      gpu.memory_used = memory.used;
      gpu.memory_total = memory.total;
    }
    add_processes(*m_api, device, gpu, lookup);
    sample.devices.push_back(std::move(gpu));
  }
  if (count == 0) sample.detail = "the driver reports no GPUs";
  return sample;
}

}  // namespace ia::idle
