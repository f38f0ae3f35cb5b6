// Windows sources: GetLastInputInfo, GetSystemTimes, GlobalMemoryStatusEx,
// GetSystemPowerStatus and a Toolhelp process snapshot. Compile-checked with mingw-w64
// (scripts/checks/windows-compile); not yet run on Windows.
#include <windows.h>
#include <tlhelp32.h>

#include <algorithm>
#include <ctime>
#include <cctype>
#include <string>

#include "idle/platform.hpp"

namespace ia::idle {

namespace {

double filetime_seconds(const FILETIME& time) {
  ULARGE_INTEGER value;
  value.LowPart = time.dwLowDateTime;
  value.HighPart = time.dwHighDateTime;
  return static_cast<double>(value.QuadPart) / 1e7;  // 100 ns units
}

std::string strip_exe(std::string name) {
  if (name.size() > 4) {
    std::string tail = name.substr(name.size() - 4);
    std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (tail == ".exe") name.resize(name.size() - 4);
  }
  return name;
}

class WindowsPlatform final : public Platform {
 public:
  explicit WindowsPlatform(PlatformOptions options) : m_options(std::move(options)) {}

  std::vector<InputSource> input_sources() override {
    InputSource source;
    source.name = "windows";
    LASTINPUTINFO info;
    info.cbSize = sizeof info;
    if (!::GetLastInputInfo(&info)) {
      source.detail = "GetLastInputInfo failed: error " + std::to_string(::GetLastError());
      return {source};
    }
    // Both are 32-bit tick counts; unsigned subtraction stays right across the 49-day wrap.
    DWORD idle = ::GetTickCount() - info.dwTime;
    source.present = true;
    source.idle_ms = static_cast<std::int64_t>(idle);
    // A service in session 0 sees only its own session's input, not the desktop user's.
    source.detail = "GetLastInputInfo (this session's input)";
    return {source};
  }

  Result<CpuTimes> cpu_times() override {
    FILETIME idle, kernel, user;
    if (!::GetSystemTimes(&idle, &kernel, &user)) {
      return make_error(ErrorCode::io, "GetSystemTimes failed: error " + std::to_string(::GetLastError()));
    }
    // Kernel time includes idle time.
    return CpuTimes{filetime_seconds(kernel) + filetime_seconds(user), filetime_seconds(idle)};
  }

  std::optional<double> own_cgroup_cpu_seconds() override { return std::nullopt; }
  bool own_cgroup_exists() override { return false; }

  Result<double> load_percent(const std::vector<ProcessInfo>&) override {
    return make_error(ErrorCode::unsupported, "Windows has no load average",
                      "set idle.cpu_window above 0 (e.g. 250ms)");
  }

  MemorySample memory() override {
    MemorySample sample;
    sample.source = "GlobalMemoryStatusEx";
    MEMORYSTATUSEX status;
    status.dwLength = sizeof status;
    if (!::GlobalMemoryStatusEx(&status)) {
      sample.detail = "GlobalMemoryStatusEx failed: error " + std::to_string(::GetLastError());
      return sample;
    }
    sample.present = true;
    sample.total_bytes = status.ullTotalPhys;
    sample.available_bytes = status.ullAvailPhys;
    return sample;
  }

  PowerSample power() override {
    PowerSample sample;
    sample.source = "GetSystemPowerStatus";
    SYSTEM_POWER_STATUS status;
    if (!::GetSystemPowerStatus(&status)) {
      sample.detail = "GetSystemPowerStatus failed: error " + std::to_string(::GetLastError());
      return sample;
    }
    bool no_battery = (status.BatteryFlag & 128) != 0 || status.BatteryFlag == 255;
    sample.present = !no_battery;
    sample.on_battery = status.ACLineStatus == 0;
    sample.detail = no_battery ? "no battery" : (sample.on_battery ? "on battery" : "on mains");
    return sample;
  }

  Result<std::vector<ProcessInfo>> processes() override {
    HANDLE snapshot = ::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snapshot == INVALID_HANDLE_VALUE) {
      return make_error(ErrorCode::io, "CreateToolhelp32Snapshot failed: error " + std::to_string(::GetLastError()));
    }
    std::vector<ProcessInfo> out;
    PROCESSENTRY32 entry;
    entry.dwSize = sizeof entry;
    for (BOOL more = ::Process32First(snapshot, &entry); more; more = ::Process32Next(snapshot, &entry)) {
      ProcessInfo info;
      info.pid = entry.th32ProcessID;
      info.exe = entry.szExeFile;
      info.name = strip_exe(info.exe);
      out.push_back(std::move(info));
    }
    ::CloseHandle(snapshot);
    return out;
  }

  double ticks_per_second() const override { return 1.0; }

  ProcessInfo process(std::uint32_t pid) override {
    ProcessInfo info;
    info.pid = pid;
    HANDLE handle = ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
    if (!handle) return info;
    char path[MAX_PATH] = {};
    DWORD size = MAX_PATH;
    if (::QueryFullProcessImageNameA(handle, 0, path, &size)) {
      std::string full(path, size);
      info.exe = full.substr(full.find_last_of("\\/") == std::string::npos ? 0 : full.find_last_of("\\/") + 1);
      info.name = strip_exe(info.exe);
    }
    ::CloseHandle(handle);
    return info;
  }

 private:
  PlatformOptions m_options;
};

}  // namespace

int local_minute_of(std::int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm local{};
  localtime_s(&local, &seconds);
  return local.tm_hour * 60 + local.tm_min;
}

std::unique_ptr<Platform> make_platform(const PlatformOptions& options) {
  return std::make_unique<WindowsPlatform>(options);
}

}  // namespace ia::idle
