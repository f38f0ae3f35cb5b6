#include "api/task.hpp"

#include <array>

#include "api/fields.hpp"
#include "core/time.hpp"
#include "core/units.hpp"

namespace ia::api {
namespace {

struct StateName {
  TaskState state;
  std::string_view name;
  std::string_view legacy;
};

constexpr std::array<StateName, 7> k_states{{
    {TaskState::queued, "queued", "pending"},
    {TaskState::leased, "leased", "assigned"},
    {TaskState::running, "running", "running"},
    {TaskState::succeeded, "succeeded", "completed"},
    {TaskState::failed, "failed", "failed"},
    {TaskState::timed_out, "timed_out", "failed"},
    {TaskState::cancelled, "cancelled", "deleted"},
}};

constexpr std::size_t k_max_name = 256;
constexpr std::size_t k_max_items = 1024;
constexpr std::size_t k_max_item_len = 64 * 1024;

Status parse_resources(const Fields& fields, Resources& out) {
  Result<const json::Value*> object = fields.object("resources");
  IA_TRY(object);
  if (!*object) return {};
  Fields inner(**object, "resources.");
  Result<double> cpu = inner.number("cpu", out.cpu, 0.0, 4096.0);
  IA_TRY(cpu);
  Result<std::int64_t> memory = inner.integer("memory", out.memory_mib, 0, 1LL << 30);
  IA_TRY(memory);
  Result<std::int64_t> gpu = inner.integer("gpu", out.gpu, 0, 1024);
  IA_TRY(gpu);
  out = Resources{*cpu, *memory, *gpu};
  return {};
}

// The characters a name (one line: interpreter, name, labels, variable names) and a
// text (argv and environment values) may hold.
struct CharRules {
  Chars name;
  Chars text;
};

CharRules char_rules(const SubmitLimits& limits) {
  if (!limits.check_chars) return {Chars::any, Chars::any};
  return {Chars::printable, Chars::no_nul};
}

Status parse_env(const Fields& fields, TaskSpec& spec, CharRules chars) {
  Result<const json::Value*> object = fields.object("env");
  IA_TRY(object);
  if (!*object) return {};
  if ((*object)->as_object().size() > k_max_items) {
    return fields.invalid("env", "more than " + std::to_string(k_max_items) + " variables");
  }
  for (const json::Member& member : (*object)->as_object()) {
    if (member.key.empty() || member.key.find('=') != std::string::npos) {
      return fields.invalid("env", "variable name '" + member.key + "' is empty or has '='");
    }
    IA_TRY(fields.check_chars("env (a variable's name)", member.key, chars.name));
    if (!member.value.is_string()) {
      return fields.invalid("env." + member.key,
                            "must be a string, got " + std::string(member.value.type_name()));
    }
    IA_TRY(fields.check_chars("env." + member.key, member.value.as_string(), chars.text));
    spec.env.emplace_back(member.key, member.value.as_string());
  }
  return {};
}

Result<std::string> parse_code(const Fields& fields, const SubmitLimits& limits) {
  Result<std::string> code = fields.string("code", true, limits.max_code, Chars::any);
  if (!code && fields.has("code") && code.error().message.find("longer") != std::string::npos) {
    return make_error(ErrorCode::payload_too_large, code.error().message,
                      "the server's [sched] max_code limits a script's size");
  }
  IA_TRY(code);
  if (code->empty()) return fields.invalid("code", "must not be empty");
  return code;
}

// Past the server's maximum the error says what the maximum is and who sets it, so that
// ia-submit --output-limit can be corrected at once.
Result<std::int64_t> parse_output_limit(const Fields& fields, const SubmitLimits& limits) {
  Result<std::int64_t> limit =
      fields.integer("output_limit", k_default_output_limit, 0, INT64_MAX);
  IA_TRY(limit);
  if (*limit > limits.max_output) {
    return make_error(ErrorCode::invalid_argument,
                      "output_limit " + format_bytes(static_cast<std::uint64_t>(*limit)) +
                          " is more than this server's maximum of " +
                          format_bytes(static_cast<std::uint64_t>(limits.max_output)),
                      "ask for at most that much (ia-submit --output-limit); the server's "
                      "[sched] max_output sets the maximum");
  }
  return limit;
}

}  // namespace

std::string_view to_string(TaskState state) {
  for (const StateName& entry : k_states) {
    if (entry.state == state) return entry.name;
  }
  return "queued";
}

std::optional<TaskState> parse_task_state(std::string_view text) {
  for (const StateName& entry : k_states) {
    if (entry.name == text) return entry.state;
  }
  return std::nullopt;
}

std::string_view legacy_status(TaskState state) {
  for (const StateName& entry : k_states) {
    if (entry.state == state) return entry.legacy;
  }
  return "pending";
}

bool is_finished(TaskState state) {
  return state == TaskState::succeeded || state == TaskState::failed ||
         state == TaskState::timed_out || state == TaskState::cancelled;
}

Result<TaskSpec> parse_submit(std::string_view body, const SubmitLimits& limits) {
  Result<json::Value> object = parse_object(body);
  IA_TRY(object);
  Fields fields(*object);
  CharRules chars = char_rules(limits);
  TaskSpec spec;
  Result<std::string> code = parse_code(fields, limits);
  IA_TRY(code);
  spec.code = std::move(*code);
  Result<std::string> interpreter = fields.string("interpreter", false, k_max_name, chars.name);
  IA_TRY(interpreter);
  spec.interpreter = std::move(*interpreter);
  if (spec.interpreter.empty() && spec.code.rfind("#!", 0) != 0) spec.interpreter = "python3";
  Result<std::string> name = fields.string("name", false, k_max_name, chars.name);
  IA_TRY(name);
  spec.name = std::move(*name);
  Result<std::vector<std::string>> args =
      fields.strings("args", k_max_items, k_max_item_len, chars.text);
  IA_TRY(args);
  spec.args = std::move(*args);
  Result<std::int64_t> timeout = fields.integer("timeout", spec.timeout_s, 1,
                                                limits.max_timeout_s);
  IA_TRY(timeout);
  spec.timeout_s = *timeout;
  IA_TRY(parse_resources(fields, spec.resources));
  Result<std::int64_t> priority = fields.integer("priority", 0, -1000000, 1000000);
  IA_TRY(priority);
  spec.priority = *priority;
  IA_TRY(parse_env(fields, spec, chars));
  Result<std::int64_t> retries = fields.integer("max_retries", spec.max_retries, 0, 100);
  IA_TRY(retries);
  spec.max_retries = *retries;
  Result<std::vector<std::string>> labels = fields.strings("labels", 64, k_max_name, chars.name);
  IA_TRY(labels);
  spec.labels = std::move(*labels);
  Result<std::int64_t> output_limit = parse_output_limit(fields, limits);
  IA_TRY(output_limit);
  spec.output_limit = *output_limit;
  Result<std::string> stdin_data = fields.string("stdin", false, limits.max_code, Chars::any);
  if (!stdin_data && fields.has("stdin") && stdin_data.error().message.find("longer") != std::string::npos) {
    return make_error(ErrorCode::payload_too_large, stdin_data.error().message,
                      "the server's [sched] max_code limits a task's standard input as its script");
  }
  IA_TRY(stdin_data);
  spec.stdin_data = std::move(*stdin_data);
  Result<std::int64_t> grace =
      fields.integer("kill_grace", spec.kill_grace_s, 0, k_max_kill_grace_s);
  IA_TRY(grace);
  spec.kill_grace_s = *grace;
  return spec;
}

Result<TaskSpec> parse_legacy_submit(std::string_view body, const SubmitLimits& limits) {
  Result<json::Value> object = parse_object(body);
  IA_TRY(object);
  Fields fields(*object);
  TaskSpec spec;
  Result<std::string> code = parse_code(fields, limits);
  IA_TRY(code);
  spec.code = std::move(*code);
  spec.interpreter = spec.code.rfind("#!", 0) == 0 ? "" : "python3";
  Result<std::int64_t> timeout = fields.integer("timeout", spec.timeout_s, 1,
                                                limits.max_timeout_s);
  IA_TRY(timeout);
  spec.timeout_s = *timeout;
  IA_TRY(parse_resources(fields, spec.resources));
  Result<std::string> user = fields.string("user_id", false, k_max_name);
  IA_TRY(user);
  spec.owner = std::move(*user);
  return spec;
}

void write_resources(json::Writer& out, std::string_view key, const Resources& resources) {
  out.key(key).begin_object().field("cpu", resources.cpu);
  out.field("memory", static_cast<long long>(resources.memory_mib));
  out.field("gpu", static_cast<long long>(resources.gpu)).end_object();
}

void write_spec(json::Writer& out, const TaskSpec& spec) {
  out.begin_object();
  out.field("code", spec.code).field("interpreter", spec.interpreter).field("name", spec.name);
  out.key("args").begin_array();
  for (const std::string& arg : spec.args) out.string(arg);
  out.end_array();
  out.field("timeout", static_cast<long long>(spec.timeout_s));
  write_resources(out, "resources", spec.resources);
  out.field("priority", static_cast<long long>(spec.priority));
  out.key("env").begin_object();
  for (const auto& [key, value] : spec.env) out.field(key, value);
  out.end_object();
  out.field("max_retries", static_cast<long long>(spec.max_retries));
  out.key("labels").begin_array();
  for (const std::string& label : spec.labels) out.string(label);
  out.end_array();
  out.field("output_limit", static_cast<long long>(spec.output_limit));
  if (!spec.stdin_data.empty()) out.field("stdin", spec.stdin_data);
  out.field("kill_grace", static_cast<long long>(spec.kill_grace_s));
  // Absent when empty: a lease clears it, since the node is not told who submitted.
  if (!spec.owner.empty()) out.field("owner", spec.owner);
  out.end_object();
}

namespace {

void write_time(json::Writer& out, std::string_view key, std::int64_t ms) {
  out.key(key);
  if (ms > 0) {
    out.string(format_iso8601(ms));
  } else {
    out.null();
  }
}

}  // namespace

void write_task(json::Writer& out, const Task& task, bool with_code) {
  out.begin_object();
  out.field("task_id", static_cast<long long>(task.id));
  out.field("status", to_string(task.state));
  out.field("name", task.spec.name).field("interpreter", task.spec.interpreter);
  if (with_code) out.field("code", task.spec.code);
  out.field("priority", static_cast<long long>(task.spec.priority));
  out.field("timeout", static_cast<long long>(task.spec.timeout_s));
  write_resources(out, "resources", task.spec.resources);
  out.key("labels").begin_array();
  for (const std::string& label : task.spec.labels) out.string(label);
  out.end_array();
  out.field("attempt", static_cast<long long>(task.attempt));
  out.field("max_retries", static_cast<long long>(task.spec.max_retries));
  out.field("output_limit", static_cast<long long>(task.spec.output_limit));
  out.field("kill_grace", static_cast<long long>(task.spec.kill_grace_s));
  out.field("owner", task.spec.owner);
  write_time(out, "created_at", task.created_ms);
  write_time(out, "started_at", task.started_ms);
  write_time(out, "finished_at", task.finished_ms);
  // A queued task runs nowhere; the node it last ran on (before a vacate or a lost lease)
  // is its last_node.
  bool placed = !task.node_id.empty() && task.state != TaskState::queued;
  out.key("node_id");
  if (placed) {
    out.string(task.node_id);
  } else {
    out.null();
  }
  if (task.state == TaskState::queued && !task.node_id.empty()) {
    out.field("last_node", task.node_id);
  }
  out.field("cancel_requested", task.cancel_requested);
  if (!is_finished(task.state) && !task.reason.empty()) out.field("reason", task.reason);
  if (is_finished(task.state)) {
    out.key("result").begin_object();
    out.key("exit_code");
    if (task.exit_code) {
      out.integer(*task.exit_code);
    } else {
      out.null();
    }
    out.field("wall_time", task.wall_s).field("reason", task.reason);
    out.field("output_bytes", static_cast<unsigned long>(task.output.size()));
    out.field("output_truncated", task.output_truncated);
    out.end_object();
  }
  out.end_object();
}

}  // namespace ia::api
