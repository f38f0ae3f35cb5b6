#include "client/ending.hpp"

#include "api/task.hpp"
#include "core/strings.hpp"
#include "core/units.hpp"

namespace ia::client {
namespace {

std::int64_t int_at(const json::Value& object, const std::string& key, std::int64_t fallback) {
  const json::Value* value = object.find(key);
  return value && value->is_int() ? value->as_int() : fallback;
}

std::string memory_text(const json::Value& task) {
  const json::Value* resources = task.find("resources");
  std::int64_t mib = resources ? int_at(*resources, "memory", 0) : 0;
  return format_bytes(static_cast<std::uint64_t>(mib) << 20);
}

std::string timeout_text(const json::Value& task) {
  return format_duration(Millis(int_at(task, "timeout", 0) * 1000));
}

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

// What follows a known reason's start: how the task was ended, "(SIGTERM, ...)".
std::string rest_after(const std::string& reason, std::string_view prefix) {
  return reason.substr(prefix.size());
}

// The reason, with the limit it names and the flag that asks for more.
std::string killed_line(const std::string& who, const std::string& reason,
                        const json::Value& task) {
  if (starts_with(reason, api::k_reason_memory)) {
    return who + " killed: over its memory limit of " + memory_text(task) +
           rest_after(reason, api::k_reason_memory) + "; ask more with --memory";
  }
  if (starts_with(reason, api::k_reason_cpu_time)) {
    return who + " killed: over its CPU time limit" + rest_after(reason, api::k_reason_cpu_time) +
           "; ask more with --timeout or --cpus";
  }
  if (starts_with(reason, api::k_reason_timeout) || reason.empty()) {
    std::string how = reason.empty() ? "" : rest_after(reason, api::k_reason_timeout);
    return who + " killed: over its time limit of " + timeout_text(task) + how +
           "; ask more with --timeout";
  }
  return who + " " + reason;
}

}  // namespace

std::string ending_note(const std::string& tool, const json::Value& task) {
  std::string who = "task " + std::to_string(int_at(task, "task_id", 0));
  std::string state = task.string_at("status");
  const json::Value* result = task.find("result");
  std::string reason = result ? escape_controls(result->string_at("reason")) : "";
  std::string out;
  if (state == "timed_out" || starts_with(reason, api::k_reason_memory)) {
    out += tool + ": " + killed_line(who, reason, task) + "\n";
  } else if (state == "cancelled") {
    bool says_it = starts_with(reason, "cancelled");
    out += tool + ": " + who + " " + (says_it ? reason : "cancelled") + "\n";
  } else if (state == "failed" && starts_with(reason, "killed")) {
    out += tool + ": " + who + " " + reason + "\n";
  }
  const json::Value* cut = result ? result->find("output_truncated") : nullptr;
  if (cut && cut->is_bool() && cut->as_bool()) {
    out += tool + ": " + who + "'s output was cut short at its limit of " +
           format_bytes(static_cast<std::uint64_t>(int_at(task, "output_limit", 0))) +
           "; ask more with --output-limit (up to the server's [sched] max_output)\n";
  }
  return out;
}

std::string requests_summary(const api::TaskSpec& spec) {
  double cpu = spec.resources.cpu;
  std::string out = format_decimal(cpu, 2) + (cpu == 1 ? " CPU, " : " CPUs, ");
  out += format_bytes(static_cast<std::uint64_t>(spec.resources.memory_mib) << 20) + ", ";
  out += format_duration(Millis(spec.timeout_s * 1000));
  std::int64_t gpu = spec.resources.gpu;
  if (gpu > 0) out += ", " + std::to_string(gpu) + (gpu == 1 ? " GPU" : " GPUs");
  return out;
}

}  // namespace ia::client
