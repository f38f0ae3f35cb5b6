#include "idle/policy.hpp"

#include <algorithm>
#include <cstdio>

#include "core/strings.hpp"

namespace ia::idle {

namespace {

std::string percent_text(double value) { return format_decimal(value, 1) + "%"; }

Signal input_signal(const Policy& policy, const std::vector<InputSource>& sources) {
  Signal s;
  s.name = "input";
  s.unit = "ms";
  s.threshold = static_cast<double>(policy.idle_time.count());
  std::vector<std::string> present;
  const InputSource* smallest = nullptr;
  bool locked = false;
  for (const InputSource& source : sources) {
    if (!source.present) continue;
    present.push_back(source.name);
    locked = locked || source.locked;
    if (source.idle_ms && (!smallest || *source.idle_ms < *smallest->idle_ms)) smallest = &source;
  }
  s.present = !present.empty();
  s.source = join(present, ",");
  if (!s.present) {
    s.reason = "no input source present (no X display, logind or terminal login): "
               "nobody can be using this machine's input";
    return s;
  }
  if (!smallest) {
    // A locked screen is someone who stepped away, not someone working: no input reading.
    s.reason = "input sources " + s.source +
               (locked ? " see only locked sessions" : " see no active session");
    return s;
  }
  s.value = static_cast<double>(*smallest->idle_ms);
  s.source = smallest->name;
  std::string idle_text = format_duration(Millis(*smallest->idle_ms));
  s.busy = Millis(*smallest->idle_ms) < policy.idle_time;
  s.reason = "input idle " + idle_text + " (" + smallest->name + ") " +
             (s.busy ? "< " : ">= ") + format_duration(policy.idle_time) +
             " required; sources present: " + join(present, ", ");
  return s;
}

Signal cpu_signal(const Policy& policy, const CpuSample& cpu) {
  Signal s;
  s.name = "cpu";
  s.present = cpu.present;
  s.unit = "%";
  s.source = cpu.source;
  s.threshold = policy.max_cpu;
  if (!cpu.present) {
    s.reason = "CPU load unknown: " + cpu.detail;
    return s;
  }
  s.value = cpu.busy_percent;
  s.busy = cpu.busy_percent > policy.max_cpu;
  s.reason = "CPU busy " + percent_text(cpu.busy_percent) + (s.busy ? " > " : " <= ") +
             percent_text(policy.max_cpu) + " allowed";
  if (cpu.own_percent > 0) s.reason += " (ia's own tasks' " + percent_text(cpu.own_percent) +
                                       " not counted)";
  return s;
}

Signal memory_signal(const Policy& policy, const MemorySample& memory) {
  Signal s;
  s.name = "memory";
  s.present = memory.present;
  s.unit = "%";
  s.source = memory.source;
  s.threshold = policy.max_memory;
  if (!memory.present) {
    s.reason = "memory use unknown: " + memory.detail;
    return s;
  }
  s.value = memory.used_percent();
  s.busy = memory.used_percent() > policy.max_memory;
  s.reason = "memory in use " + percent_text(memory.used_percent()) + " of " +
             format_bytes(memory.total_bytes) + (s.busy ? " > " : " <= ") +
             percent_text(policy.max_memory) + " allowed";
  if (memory.own_bytes > 0) {
    s.reason += " (ia's own tasks' " + format_bytes(memory.own_bytes) + " not counted)";
  }
  return s;
}

Signal power_signal(const Policy& policy, const PowerSample& power) {
  Signal s;
  s.name = "power";
  s.present = power.present;
  s.source = power.source;
  s.value = power.on_battery ? 1.0 : 0.0;
  s.threshold = policy.require_ac ? 0.0 : 1.0;
  s.busy = policy.require_ac && power.on_battery;
  std::string state = !power.present ? "no power supply information (mains assumed)"
                      : power.on_battery ? "on battery" : "on mains power";
  s.reason = state + (policy.require_ac ? ", mains required" : ", battery allowed");
  return s;
}

Signal processes_signal(const Policy& policy, const ProcessSample& processes) {
  Signal s;
  s.name = "processes";
  s.present = processes.checked;
  s.source = processes.source;
  s.value = static_cast<double>(processes.running.size());
  s.threshold = 0;
  if (policy.busy_if_running.empty()) {
    s.reason = "no busy_if_running processes configured";
    return s;
  }
  s.busy = !processes.running.empty();
  s.reason = s.busy ? "running: " + join(processes.running, ", ")
                    : "none of " + join(policy.busy_if_running, ", ") + " is running";
  return s;
}

Signal time_signal(const Policy& policy, int local_minute) {
  Signal s;
  s.name = "time";
  s.present = true;
  s.source = "local clock";
  s.value = local_minute;
  if (!policy.only_between) {
    s.reason = "no only_between window configured";
    return s;
  }
  s.busy = !policy.only_between->contains(local_minute);
  char now[16];
  std::snprintf(now, sizeof now, "%02d:%02d", local_minute / 60 % 24, local_minute % 60);
  s.reason = std::string("local time ") + now + (s.busy ? " outside " : " inside ") +
             policy.only_between->text();
  return s;
}

GpuVerdict gpu_verdict(const Policy& policy, const GpuDevice& gpu) {
  GpuVerdict v;
  v.index = gpu.index;
  v.name = gpu.name;
  bool unknown_memory = false;
  std::uint64_t own_memory = 0;
  for (const GpuProcess& p : gpu.processes) {
    if (p.own) v.has_own = true;
    if (!p.memory_bytes) {
      unknown_memory = unknown_memory || !p.own;
      continue;
    }
    (p.own ? own_memory : v.others_memory) += *p.memory_bytes;
  }
  // Without per-process figures (some drivers, no permission), all memory that is not
  // known to be ours counts as someone else's.
  if (unknown_memory) v.others_memory = gpu.memory_used > own_memory ? gpu.memory_used - own_memory : 0;
  if (v.others_memory > policy.max_gpu_memory) {
    v.busy = true;
    v.reasons.push_back("others hold " + format_bytes(v.others_memory) + " > " +
                        format_bytes(policy.max_gpu_memory) + " allowed");
  } else {
    v.reasons.push_back("others hold " + format_bytes(v.others_memory) + " <= " +
                        format_bytes(policy.max_gpu_memory) + " allowed");
  }
  if (!gpu.utilization) {
    v.reasons.push_back("utilization not reported");
  } else if (v.has_own) {
    // NVML gives utilization per device, not per process: with our own task on the
    // device its load is ours, and only others' memory tells whether the owner is here.
    v.reasons.push_back("utilization " + std::to_string(*gpu.utilization) +
                        "% not counted: ia's own tasks use this GPU");
  } else {
    bool busy = *gpu.utilization > policy.max_gpu;
    v.busy = v.busy || busy;
    v.reasons.push_back("utilization " + std::to_string(*gpu.utilization) + "%" +
                        (busy ? " > " : " <= ") + percent_text(policy.max_gpu) + " allowed");
  }
  return v;
}

Signal gpu_signal(const GpuSample& gpu, const std::vector<GpuVerdict>& verdicts) {
  Signal s;
  s.name = "gpu";
  s.present = gpu.present;
  s.source = gpu.source;
  s.value = static_cast<double>(gpu.devices.size());
  std::vector<std::string> busy;
  for (const GpuVerdict& v : verdicts) {
    if (v.busy) busy.push_back("GPU " + std::to_string(v.index) + " (" + join(v.reasons, "; ") + ")");
  }
  s.busy = !busy.empty();
  if (!gpu.present) {
    s.reason = "no GPU to watch: " + gpu.detail;
  } else if (s.busy) {
    s.reason = "busy: " + join(busy, ", ");
  } else {
    s.reason = std::to_string(gpu.devices.size()) + " GPU(s), none busy";
  }
  return s;
}

}  // namespace

bool TimeWindow::contains(int minute) const {
  minute %= 24 * 60;
  if (start_minute == end_minute) return true;
  if (start_minute < end_minute) return minute >= start_minute && minute < end_minute;
  return minute >= start_minute || minute < end_minute;
}

std::string TimeWindow::text() const {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d-%02d:%02d", start_minute / 60,
                start_minute % 60, end_minute / 60, end_minute % 60);
  return buffer;
}

namespace {

bool parse_clock(std::string_view text, int& minute) {
  if (text.size() != 5 || text[2] != ':') return false;
  long long hours = 0, minutes = 0;
  if (!parse_int64(text.substr(0, 2), hours) || !parse_int64(text.substr(3, 2), minutes))
    return false;
  if (hours < 0 || hours > 24 || minutes < 0 || minutes > 59 || (hours == 24 && minutes != 0))
    return false;
  minute = static_cast<int>(hours * 60 + minutes) % (24 * 60);
  return true;
}

}  // namespace

Result<TimeWindow> parse_time_window(std::string_view text) {
  std::string_view t = trim(text);
  std::size_t dash = t.find('-');
  TimeWindow window;
  if (dash == std::string_view::npos || !parse_clock(t.substr(0, dash), window.start_minute) ||
      !parse_clock(t.substr(dash + 1), window.end_minute)) {
    return make_error(ErrorCode::invalid_argument,
                      "bad time window '" + std::string(text) + "'",
                      "write it as HH:MM-HH:MM in local time, e.g. \"22:00-07:00\"");
  }
  return window;
}

Result<Policy> Policy::from_config(const config::Config& cfg) {
  Policy policy;
  policy.idle_time = cfg.duration("idle.idle_time");
  policy.max_cpu = cfg.number("idle.max_cpu");
  policy.max_memory = cfg.number("idle.max_memory");
  policy.max_gpu = cfg.number("idle.max_gpu");
  policy.max_gpu_memory = cfg.bytes("idle.max_gpu_memory");
  policy.require_ac = cfg.boolean("idle.require_ac");
  policy.cpu_busy_for = cfg.duration("idle.cpu_busy_for");
  policy.resume_after = cfg.duration("idle.resume_after");
  for (const std::string& name : cfg.list("idle.busy_if_running")) {
    if (!trim(name).empty()) policy.busy_if_running.emplace_back(trim(name));
  }
  const std::string& window = cfg.string("idle.only_between");
  if (!trim(window).empty()) {
    Result<TimeWindow> parsed = parse_time_window(window);
    if (!parsed) {
      Error error = parsed.error();
      error.message = "idle.only_between (from " + cfg.origin("idle.only_between") + "): " +
                      error.message;
      return error;
    }
    policy.only_between = *parsed;
  }
  return policy;
}

std::vector<std::string> Verdict::busy_reasons() const {
  std::vector<std::string> reasons;
  for (const Signal& s : signals) {
    if (s.busy) reasons.push_back(s.name + ": " + s.reason);
  }
  return reasons;
}

Verdict evaluate(const Policy& policy, const Samples& samples) {
  Verdict verdict;
  const Checks& c = samples.checks;
  if (c.input) verdict.signals.push_back(input_signal(policy, samples.input));
  if (c.cpu) verdict.signals.push_back(cpu_signal(policy, samples.cpu));
  if (c.memory) verdict.signals.push_back(memory_signal(policy, samples.memory));
  if (c.power) verdict.signals.push_back(power_signal(policy, samples.power));
  if (c.gpu) {
    for (const GpuDevice& gpu : samples.gpu.devices) verdict.gpus.push_back(gpu_verdict(policy, gpu));
    verdict.signals.push_back(gpu_signal(samples.gpu, verdict.gpus));
  }
  if (c.processes) verdict.signals.push_back(processes_signal(policy, samples.processes));
  if (c.time) verdict.signals.push_back(time_signal(policy, samples.local_minute));
  verdict.idle = std::none_of(verdict.signals.begin(), verdict.signals.end(),
                              [](const Signal& s) { return s.busy; });
  return verdict;
}

}  // namespace ia::idle
