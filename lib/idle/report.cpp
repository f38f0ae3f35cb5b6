#include "idle/report.hpp"

#include <cmath>

#include "core/strings.hpp"
#include "core/time.hpp"
#include "core/units.hpp"
#include "json/writer.hpp"

namespace ia::idle {

namespace {

void write_optional(json::Writer& w, std::string_view key, const std::optional<double>& value) {
  w.key(key);
  if (!value) {
    w.null();
  } else if (std::abs(*value) < 9e15 && *value == std::floor(*value)) {
    w.integer(static_cast<std::int64_t>(*value));  // 300000, not 3e+05
  } else {
    w.number(*value);
  }
}

void write_signal(json::Writer& w, const Signal& s) {
  w.key(s.name).begin_object();
  w.field("present", s.present);
  write_optional(w, "value", s.value);
  write_optional(w, "threshold", s.threshold);
  w.field("unit", s.unit).field("verdict", s.busy ? "busy" : "idle");
  w.field("source", s.source).field("reason", s.reason);
  w.end_object();
}

void write_input(json::Writer& w, const std::vector<InputSource>& sources) {
  w.key("input_sources").begin_array();
  for (const InputSource& s : sources) {
    w.begin_object().field("name", s.name).field("present", s.present);
    w.key("idle_ms");
    s.idle_ms ? w.integer(*s.idle_ms) : w.null();
    w.field("locked", s.locked).field("detail", s.detail).end_object();
  }
  w.end_array();
}

void write_gpu(json::Writer& w, const GpuDevice& gpu, const GpuVerdict* verdict) {
  w.begin_object().field("index", static_cast<long long>(gpu.index)).field("name", gpu.name);
  w.key("utilization");
  gpu.utilization ? w.integer(*gpu.utilization) : w.null();
  w.key("memory_used").integer(static_cast<std::int64_t>(gpu.memory_used));
  w.key("memory_total").integer(static_cast<std::int64_t>(gpu.memory_total));
  if (verdict) {
    w.key("others_memory").integer(static_cast<std::int64_t>(verdict->others_memory));
    w.field("verdict", verdict->busy ? "busy" : "idle");
    w.key("reasons").begin_array();
    for (const std::string& r : verdict->reasons) w.string(r);
    w.end_array();
  }
  w.key("processes").begin_array();
  for (const GpuProcess& p : gpu.processes) {
    w.begin_object().key("pid").integer(p.pid).field("name", p.name);
    w.key("memory");
    p.memory_bytes ? w.integer(static_cast<std::int64_t>(*p.memory_bytes)) : w.null();
    w.field("own", p.own).end_object();
  }
  w.end_array().field("detail", gpu.detail).end_object();
}

}  // namespace

std::string to_json(const Samples& samples, const Verdict& verdict) {
  json::Writer w;
  w.begin_object();
  w.field("idle", verdict.idle).field("verdict", verdict.idle ? "idle" : "busy");
  w.field("time", format_iso8601(samples.unix_ms));
  w.key("reasons").begin_array();
  for (const std::string& reason : verdict.busy_reasons()) w.string(reason);
  w.end_array();
  w.key("signals").begin_object();
  for (const Signal& s : verdict.signals) write_signal(w, s);
  w.end_object();
  if (samples.checks.input) write_input(w, samples.input);
  if (samples.checks.cpu) {
    w.key("cpu").begin_object().field("busy_percent", samples.cpu.busy_percent);
    w.field("own_percent", samples.cpu.own_percent);
    w.key("window_ms").integer(samples.cpu.window_ms);
    w.field("detail", samples.cpu.detail).end_object();
  }
  if (samples.checks.memory) {
    w.key("memory").begin_object();
    w.key("total_bytes").integer(static_cast<std::int64_t>(samples.memory.total_bytes));
    w.key("available_bytes").integer(static_cast<std::int64_t>(samples.memory.available_bytes));
    w.end_object();
  }
  if (samples.checks.power) {
    w.key("power").begin_object().field("present", samples.power.present);
    w.field("on_battery", samples.power.on_battery).field("detail", samples.power.detail);
    w.end_object();
  }
  if (samples.checks.gpu) {
    w.key("gpus").begin_array();
    for (std::size_t i = 0; i < samples.gpu.devices.size(); ++i) {
      write_gpu(w, samples.gpu.devices[i], i < verdict.gpus.size() ? &verdict.gpus[i] : nullptr);
    }
    w.end_array();
  }
  if (samples.checks.processes) {
    w.key("busy_processes").begin_array();
    for (const std::string& name : samples.processes.running) w.string(name);
    w.end_array();
  }
  w.end_object();
  return w.take();
}

std::vector<std::string> explain(const Samples& samples, const Verdict& verdict) {
  std::vector<std::string> lines;
  lines.push_back(verdict.idle ? "idle: every signal allows work"
                               : "busy: " + std::to_string(verdict.busy_reasons().size()) +
                                     " signal(s) say the owner is using this machine");
  for (const Signal& s : verdict.signals) {
    lines.push_back(std::string(s.busy ? "  busy " : "  ok   ") + s.name + ": " + s.reason);
    if (s.name == "input") {
      for (const InputSource& source : samples.input) {
        std::string state = !source.present ? "absent" :
                            source.idle_ms ? "idle " + format_duration(Millis(*source.idle_ms))
                                           : (source.locked ? "locked" : "no session");
        lines.push_back("         " + source.name + ": " + state + " (" + source.detail + ")");
      }
    }
  }
  for (const GpuVerdict& g : verdict.gpus) {
    lines.push_back(std::string(g.busy ? "  busy " : "  ok   ") + "GPU " + std::to_string(g.index) +
                    " " + g.name + ": " + join(g.reasons, "; "));
  }
  return lines;
}

}  // namespace ia::idle
