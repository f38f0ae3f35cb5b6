// macOS sources: IOKit HIDIdleTime, host_statistics, vm statistics, IOPowerSources and
// libproc. UNTESTED: written behind the same interface as Linux, never built or run on
// a Mac yet (no macOS machine in CI); treat as a starting point.
#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOKitLib.h>
#include <IOKit/ps/IOPSKeys.h>
#include <IOKit/ps/IOPowerSources.h>
#include <libproc.h>
#include <mach/mach.h>
#include <stdlib.h>
#include <sys/sysctl.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <string>

#include "idle/platform.hpp"

namespace ia::idle {

namespace {

InputSource hid_idle_source() {
  InputSource source;
  source.name = "iokit";
  io_service_t service = IOServiceGetMatchingService(kIOMasterPortDefault, IOServiceMatching("IOHIDSystem"));
  if (!service) {
    source.detail = "no IOHIDSystem service";
    return source;
  }
  CFTypeRef property = IORegistryEntryCreateCFProperty(service, CFSTR("HIDIdleTime"), kCFAllocatorDefault, 0);
  IOObjectRelease(service);
  if (!property) {
    source.detail = "IOHIDSystem has no HIDIdleTime";
    return source;
  }
  std::int64_t nanoseconds = 0;
  if (CFGetTypeID(property) == CFNumberGetTypeID()) {
    CFNumberGetValue(static_cast<CFNumberRef>(property), kCFNumberSInt64Type, &nanoseconds);
    source.present = true;
    source.idle_ms = nanoseconds / 1000000;
    source.detail = "IOKit HIDIdleTime";
  }
  CFRelease(property);
  return source;
}

class MacPlatform final : public Platform {
 public:
  explicit MacPlatform(PlatformOptions options) : m_options(std::move(options)) {}

  std::vector<InputSource> input_sources() override { return {hid_idle_source()}; }

  Result<CpuTimes> cpu_times() override {
    host_cpu_load_info_data_t load;
    mach_msg_type_number_t count = HOST_CPU_LOAD_INFO_COUNT;
    if (host_statistics(mach_host_self(), HOST_CPU_LOAD_INFO, reinterpret_cast<host_info_t>(&load),
                        &count) != KERN_SUCCESS) {
      return make_error(ErrorCode::io, "host_statistics(HOST_CPU_LOAD_INFO) failed");
    }
    double total = 0;
    for (int state = 0; state < CPU_STATE_MAX; ++state) total += load.cpu_ticks[state];
    double hz = ticks_per_second();
    return CpuTimes{total / hz, load.cpu_ticks[CPU_STATE_IDLE] / hz};
  }

  std::optional<double> own_cgroup_cpu_seconds() override { return std::nullopt; }
  bool own_cgroup_exists() override { return false; }

  Result<double> load_percent(const std::vector<ProcessInfo>&) override {
    double load[1] = {0};
    if (getloadavg(load, 1) != 1) return make_error(ErrorCode::io, "getloadavg failed");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return std::min(100.0, 100.0 * load[0] / static_cast<double>(cpus > 0 ? cpus : 1));
  }

  MemorySample memory() override {
    MemorySample sample;
    sample.source = "host_statistics64";
    std::uint64_t total = 0;
    size_t size = sizeof total;
    vm_statistics64_data_t vm;
    mach_msg_type_number_t count = HOST_VM_INFO64_COUNT;
    vm_size_t page = 0;
    if (sysctlbyname("hw.memsize", &total, &size, nullptr, 0) != 0 ||
        host_page_size(mach_host_self(), &page) != KERN_SUCCESS ||
        host_statistics64(mach_host_self(), HOST_VM_INFO64, reinterpret_cast<host_info64_t>(&vm),
                          &count) != KERN_SUCCESS) {
      sample.detail = "cannot read memory statistics";
      return sample;
    }
    sample.present = true;
    sample.total_bytes = total;
    // Free, inactive and purgeable pages are what Activity Monitor treats as available.
    std::uint64_t available =
        (static_cast<std::uint64_t>(vm.free_count) + vm.inactive_count + vm.purgeable_count) * page;
    sample.available_bytes = std::min(available, total);
    return sample;
  }

  PowerSample power() override {
    PowerSample sample;
    sample.source = "IOPowerSources";
    CFTypeRef info = IOPSCopyPowerSourcesInfo();
    if (!info) {
      sample.detail = "no power source information";
      return sample;
    }
    CFStringRef type = IOPSGetProvidingPowerSourceType(info);
    sample.present = true;
    sample.on_battery = type && CFStringCompare(type, CFSTR(kIOPSBatteryPowerValue), 0) == kCFCompareEqualTo;
    sample.detail = sample.on_battery ? "on battery" : "on mains";
    CFRelease(info);
    return sample;
  }

  Result<std::vector<ProcessInfo>> processes() override {
    int count = proc_listallpids(nullptr, 0);
    if (count <= 0) return make_error(ErrorCode::io, "proc_listallpids failed");
    std::vector<pid_t> pids(static_cast<std::size_t>(count) + 16);
    count = proc_listallpids(pids.data(), static_cast<int>(pids.size() * sizeof(pid_t)));
    std::vector<ProcessInfo> out;
    for (int i = 0; i < count; ++i) out.push_back(process(static_cast<std::uint32_t>(pids[i])));
    return out;
  }

  double ticks_per_second() const override {
    long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? static_cast<double>(hz) : 100.0;
  }

  ProcessInfo process(std::uint32_t pid) override {
    ProcessInfo info;
    info.pid = pid;
    char name[2 * MAXCOMLEN + 1] = {};
    if (proc_name(static_cast<int>(pid), name, sizeof name) > 0) info.name = info.exe = name;
    return info;
  }

 private:
  PlatformOptions m_options;
};

}  // namespace

int local_minute_of(std::int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  return local.tm_hour * 60 + local.tm_min;
}

std::unique_ptr<Platform> make_platform(const PlatformOptions& options) {
  return std::make_unique<MacPlatform>(options);
}

}  // namespace ia::idle
