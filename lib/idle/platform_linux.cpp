#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <cstdlib>

#include "core/strings.hpp"
#include "idle/input_linux.hpp"
#include "idle/platform.hpp"
#include "idle/procfs.hpp"

namespace ia::idle {

namespace {

std::vector<std::string> list_dir(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return names;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') names.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string first_line(const std::string& path) {
  Result<std::string> text = procfs::read_file(path);
  return text ? std::string(trim(text->substr(0, text->find('\n')))) : std::string();
}

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class LinuxPlatform final : public Platform {
 public:
  explicit LinuxPlatform(PlatformOptions options) : m_options(std::move(options)) {}
  ~LinuxPlatform() override;

  std::vector<InputSource> input_sources() override {
    return {m_x11.look(), logind_input_source(m_options.dbus_system_address),
            terminal_input_source(m_options.root)};
  }

  Result<CpuTimes> cpu_times() override {
    Result<std::string> text = procfs::read_file(path("/proc/stat"));
    if (!text) return text.error();
    Result<procfs::StatTimes> ticks = procfs::parse_stat(*text);
    if (!ticks) return ticks.error();
    double hz = ticks_per_second();
    return CpuTimes{static_cast<double>(ticks->total) / hz, static_cast<double>(ticks->idle) / hz};
  }

  std::optional<double> own_cgroup_cpu_seconds() override {
    if (m_options.own_cgroup.empty()) return std::nullopt;
    // cgroup v1 (cpuacct alone or mounted with cpu) counts nanoseconds, v2 microseconds;
    // both include every descendant cgroup, so the top one covers all tasks.
    for (const char* controller : {"cpuacct", "cpu,cpuacct", "cpuacct,cpu"}) {
      std::string file = cgroup_dir(controller) + "/cpuacct.usage";
      long long ns = 0;
      if (Result<std::string> text = procfs::read_file(file);
          text && parse_int64(trim(*text), ns) && ns >= 0) {
        return static_cast<double>(ns) / 1e9;
      }
    }
    for (const char* base : {"", "unified"}) {
      if (Result<std::string> text = procfs::read_file(cgroup_dir(base) + "/cpu.stat")) {
        if (std::optional<double> seconds = procfs::parse_cpu_stat_usage(*text)) return seconds;
      }
    }
    return std::nullopt;
  }

  bool own_cgroup_exists() override {
    if (m_options.own_cgroup.empty()) return false;
    if (is_dir(cgroup_dir(""))) return true;
    for (const std::string& controller : list_dir(path("/sys/fs/cgroup"))) {
      if (is_dir(cgroup_dir(controller))) return true;
    }
    return false;
  }

  Result<double> load_percent(const std::vector<ProcessInfo>& processes) override {
    Result<std::string> text = procfs::read_file(path("/proc/loadavg"));
    if (!text) return text.error();
    Result<procfs::LoadAvg> load = procfs::parse_loadavg(*text);
    if (!load) return load.error();
    Result<std::string> stat = procfs::read_file(path("/proc/stat"));
    int cpus = stat ? procfs::count_cpus(*stat) : 1;
    double own_running = static_cast<double>(std::count_if(
        processes.begin(), processes.end(), [](const ProcessInfo& p) { return p.own && p.state == 'R'; }));
    double busy = std::max(0.0, load->one_minute - own_running);
    return std::min(100.0, 100.0 * busy / cpus);
  }

  MemorySample memory() override {
    MemorySample sample;
    sample.source = "/proc/meminfo";
    Result<std::string> text = procfs::read_file(path("/proc/meminfo"));
    Result<procfs::MemInfo> info = text ? procfs::parse_meminfo(*text) : text.error();
    if (!info) {
      sample.detail = info.error().message;
      return sample;
    }
    sample.present = true;
    sample.total_bytes = info->total_bytes;
    sample.available_bytes = info->available_bytes;
    sample.own_bytes = own_cgroup_memory_bytes();
    return sample;
  }

  // Memory charged to ia's own cgroup (v1 memory.usage_in_bytes, v2 memory.current); both
  // include every task's cgroup below it. 0 when there is none.
  std::uint64_t own_cgroup_memory_bytes() const {
    if (m_options.own_cgroup.empty()) return 0;
    for (const std::string& file : {cgroup_dir("memory") + "/memory.usage_in_bytes",
                                    cgroup_dir("") + "/memory.current",
                                    cgroup_dir("unified") + "/memory.current"}) {
      long long bytes = 0;
      if (Result<std::string> text = procfs::read_file(file);
          text && parse_int64(trim(*text), bytes) && bytes >= 0) {
        return static_cast<std::uint64_t>(bytes);
      }
    }
    return 0;
  }

  PowerSample power() override {
    PowerSample sample;
    sample.source = "/sys/class/power_supply";
    std::string dir = path("/sys/class/power_supply");
    bool mains_online = false, discharging = false;
    std::vector<std::string> seen;
    for (const std::string& name : list_dir(dir)) {
      std::string type = first_line(dir + "/" + name + "/type");
      if (type == "Mains" || type == "USB" || type == "USB_C") {
        bool online = first_line(dir + "/" + name + "/online") == "1";
        mains_online = mains_online || online;
        seen.push_back(name + " " + (online ? "online" : "offline"));
      } else if (type == "Battery") {
        std::string status = first_line(dir + "/" + name + "/status");
        discharging = discharging || status == "Discharging";
        seen.push_back(name + " " + to_lower(status));
      }
    }
    sample.present = !seen.empty();
    // A laptop on a dock can show a Discharging battery while a charger is online
    // (more draw than the charger gives); it is still on mains.
    sample.on_battery = discharging && !mains_online;
    sample.detail = seen.empty() ? "no power supplies" : join(seen, ", ");
    return sample;
  }

  Result<std::vector<ProcessInfo>> processes(bool with_exe) override {
    std::string proc = path("/proc");
    std::vector<std::string> names = list_dir(proc);
    if (names.empty()) {
      return make_error(ErrorCode::io, "cannot list processes in " + proc,
                        "is /proc mounted (or --root pointing at a proc tree)?");
    }
    std::vector<ProcessInfo> out;
    for (const std::string& name : names) {
      if (!all_digits(name)) continue;
      // Processes come and go while we look: one that vanished is simply skipped.
      Result<std::string> stat = procfs::read_file(proc + "/" + name + "/stat");
      if (!stat) continue;
      Result<procfs::PidStat> parsed = procfs::parse_pid_stat(*stat);
      if (!parsed) continue;
      ProcessInfo info;
      info.pid = static_cast<std::uint32_t>(std::strtoul(name.c_str(), nullptr, 10));
      info.name = parsed->comm;
      info.state = parsed->state;
      info.cpu_ticks = parsed->cpu_ticks;
      info.own = is_own(proc + "/" + name);
      if (with_exe) info.exe = argv0_name(proc + "/" + name);
      out.push_back(std::move(info));
    }
    return out;
  }

  double ticks_per_second() const override {
    long hz = ::sysconf(_SC_CLK_TCK);
    return hz > 0 ? static_cast<double>(hz) : 100.0;
  }

  ProcessInfo process(std::uint32_t pid) override { return describe(pid); }

 private:
  std::string path(const std::string& absolute) const { return m_options.root + absolute; }

  std::string cgroup_dir(const std::string& controller) const {
    std::string base = path("/sys/fs/cgroup");
    if (!controller.empty()) base += "/" + controller;
    return base + "/" + m_options.own_cgroup;
  }

  ProcessInfo describe(std::uint32_t pid) {
    ProcessInfo info;
    info.pid = pid;
    std::string dir = path("/proc/" + std::to_string(pid));
    info.name = first_line(dir + "/comm");
    info.exe = argv0_name(dir);
    info.own = is_own(dir);
    return info;
  }

  bool is_own(const std::string& proc_dir) const {
    Result<std::string> cgroup = procfs::read_file(proc_dir + "/cgroup");
    return cgroup && procfs::cgroup_has_component(*cgroup, m_options.own_cgroup);
  }

  // comm is cut at 15 characters; argv[0]'s base name is the full program name.
  static std::string argv0_name(const std::string& proc_dir) {
    Result<std::string> cmdline = procfs::read_file(proc_dir + "/cmdline");
    if (!cmdline || cmdline->empty()) return {};
    std::string argv0 = cmdline->substr(0, cmdline->find('\0'));
    std::size_t slash = argv0.rfind('/');
    return slash == std::string::npos ? argv0 : argv0.substr(slash + 1);
  }

  PlatformOptions m_options;
  X11Idle m_x11;
};

LinuxPlatform::~LinuxPlatform() = default;

}  // namespace

int local_minute_of(std::int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  return local.tm_hour * 60 + local.tm_min;
}

std::unique_ptr<Platform> make_platform(const PlatformOptions& options) {
  return std::make_unique<LinuxPlatform>(options);
}

}  // namespace ia::idle
