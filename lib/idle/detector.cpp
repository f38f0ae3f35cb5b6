#include "idle/detector.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/strings.hpp"
#include "core/time.hpp"

namespace ia::idle {

namespace {

double own_seconds(const std::vector<ProcessInfo>& processes, double hz) {
  std::uint64_t ticks = 0;
  for (const ProcessInfo& p : processes) {
    if (p.own) ticks += p.cpu_ticks;
  }
  return static_cast<double>(ticks) / hz;
}

}  // namespace

DetectorOptions DetectorOptions::from_config(const config::Config& cfg) {
  DetectorOptions options;
  options.cpu_window = cfg.duration("idle.cpu_window");
  options.nvml_path = cfg.string("idle.nvml_path");
  options.own_cgroup = cfg.string("idle.own_cgroup");
  for (const std::string& name : cfg.list("idle.busy_if_running")) {
    if (!trim(name).empty()) options.busy_if_running.emplace_back(trim(name));
  }
  return options;
}

Result<Checks> parse_checks(std::string_view list) {
  Checks checks{false, false, false, false, false, false, false};
  const std::vector<std::string> names = {"input", "cpu", "memory", "power", "gpu", "processes", "time"};
  bool* flags[] = {&checks.input, &checks.cpu, &checks.memory, &checks.power,
                   &checks.gpu, &checks.processes, &checks.time};
  for (const std::string& raw : split(list, ',')) {
    std::string name(trim(raw));
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      std::string near = closest_match(name, names);
      return make_error(ErrorCode::invalid_argument, "unknown signal '" + name + "'",
                        near.empty() ? "signals are " + join(names, ", ")
                                     : "did you mean '" + near + "'? signals are " + join(names, ", "));
    }
    *flags[it - names.begin()] = true;
  }
  return checks;
}

Detector::Detector(DetectorOptions options)
    : m_options(std::move(options)),
      m_platform(make_platform({m_options.root, m_options.own_cgroup, m_options.dbus_system_address})) {}

Detector::~Detector() = default;

Result<CpuSample> Detector::sample_cpu(std::optional<std::vector<ProcessInfo>>& processes) {
  CpuSample cpu;
  std::int64_t window = m_options.cpu_window.count();
  if (window <= 0) {
    if (!processes && m_platform->own_cgroup_exists()) {
      Result<std::vector<ProcessInfo>> list = m_platform->processes(false);
      if (list) processes = std::move(*list);
    }
    Result<double> load = m_platform->load_percent(processes.value_or(std::vector<ProcessInfo>{}));
    if (!load) return load.error();
    cpu.present = true;
    cpu.busy_percent = *load;
    cpu.source = "/proc/loadavg";
    cpu.detail = "1-minute load average per CPU";
    return cpu;
  }
  bool by_cgroup = m_platform->own_cgroup_cpu_seconds().has_value();
  std::int64_t now = steady_now_ms();
  if (m_options.cpu_running && m_cpu_mark && now - m_cpu_mark->at_ms < window && m_cpu_last.present) {
    return m_cpu_last;  // too soon for a new figure: the last one stands
  }
  std::optional<CpuMark> before = m_options.cpu_running ? m_cpu_mark : std::nullopt;
  if (!before) {
    Result<CpuMark> first = cpu_mark(by_cgroup);
    if (!first) return first.error();
    before = *first;
    std::this_thread::sleep_for(m_options.cpu_window);
  }
  Result<CpuMark> after = cpu_mark(by_cgroup);
  if (!after) return after.error();
  double total = after->times.total_seconds - before->times.total_seconds;
  double busy = total - (after->times.idle_seconds - before->times.idle_seconds);
  double own = std::clamp(after->own_seconds - before->own_seconds, 0.0, std::max(busy, 0.0));
  cpu.present = true;
  cpu.window_ms = m_options.cpu_running ? after->at_ms - before->at_ms : window;
  cpu.source = "/proc/stat";
  cpu.detail = by_cgroup ? "own tasks from their cgroup's CPU accounting"
                         : "own tasks from processes in a '" + m_options.own_cgroup + "' cgroup";
  if (m_options.cpu_running) cpu.detail += "; a running figure since the last look";
  if (total > 0) {
    cpu.own_percent = 100.0 * own / total;
    cpu.busy_percent = std::clamp(100.0 * (busy - own) / total, 0.0, 100.0);
  }
  m_cpu_mark = *after;
  m_cpu_last = cpu;
  return cpu;
}

Result<Detector::CpuMark> Detector::cpu_mark(bool by_cgroup) {
  CpuMark mark;
  if (by_cgroup) {
    mark.own_seconds = m_platform->own_cgroup_cpu_seconds().value_or(0);
  } else {
    Result<std::vector<ProcessInfo>> list = m_platform->processes(false);
    mark.own_seconds = list ? own_seconds(*list, m_platform->ticks_per_second()) : 0;
  }
  Result<CpuTimes> times = m_platform->cpu_times();
  if (!times) return times.error();
  mark.times = *times;
  mark.at_ms = steady_now_ms();
  return mark;
}

GpuSample Detector::sample_gpu(const std::vector<ProcessInfo>* processes) {
  if (!m_nvml_tried) {
    m_nvml_tried = true;
    Result<Nvml> loaded = Nvml::load(m_options.nvml_path);
    if (loaded) m_nvml.emplace(std::move(*loaded));
    else m_nvml_error = loaded.error().message;
  }
  if (!m_nvml) return no_gpus("nvml (" + m_options.nvml_path + ")", m_nvml_error);
  return m_nvml->sample([&](std::uint32_t pid) {
    if (processes) {
      for (const ProcessInfo& p : *processes) {
        if (p.pid == pid) return p;
      }
    }
    return m_platform->process(pid);
  });
}

ProcessSample Detector::sample_processes(const std::vector<ProcessInfo>& processes) const {
  ProcessSample sample;
  sample.checked = true;
  sample.source = "process list";
  for (const std::string& wanted : m_options.busy_if_running) {
    bool found = std::any_of(processes.begin(), processes.end(), [&](const ProcessInfo& p) {
      return !p.own && (p.name == wanted || p.exe == wanted);
    });
    if (found) sample.running.push_back(wanted);
  }
  return sample;
}

Result<Samples> Detector::sample() {
  Samples samples;
  samples.checks = m_options.checks;
  const Checks& c = m_options.checks;
  samples.unix_ms = unix_now_ms();
  samples.local_minute = local_minute_of(samples.unix_ms);
  std::optional<std::vector<ProcessInfo>> processes;
  if (c.processes && !m_options.busy_if_running.empty()) {
    Result<std::vector<ProcessInfo>> list = m_platform->processes(true);
    if (!list) return list.error();
    processes = std::move(*list);
  }
  if (c.input) samples.input = m_platform->input_sources();
  if (c.cpu) {
    Result<CpuSample> cpu = sample_cpu(processes);
    if (!cpu) return cpu.error();
    samples.cpu = std::move(*cpu);
  }
  if (c.memory) samples.memory = m_platform->memory();
  if (c.power) samples.power = m_platform->power();
  if (c.gpu) samples.gpu = sample_gpu(processes ? &*processes : nullptr);
  if (c.processes && processes) samples.processes = sample_processes(*processes);
  if (c.processes && !processes) {
    samples.processes.checked = true;
    samples.processes.source = "not needed";
  }
  return samples;
}

}  // namespace ia::idle
