#include "api/node.hpp"

#include "api/fields.hpp"
#include "core/strings.hpp"

namespace ia::api {
namespace {

constexpr std::size_t k_max_output_chunk = 16 * 1024 * 1024;

Status parse_capacity(const json::Value* object, std::string_view prefix, Resources& out) {
  if (!object) return {};
  Fields inner(*object, std::string(prefix));
  Result<double> cpu = inner.number("cpu", out.cpu, 0.0, 65536.0);
  IA_TRY(cpu);
  Result<std::int64_t> memory = inner.integer("memory", out.memory_mib, 0, 1LL << 40);
  IA_TRY(memory);
  Result<std::int64_t> gpu = inner.integer("gpu", out.gpu, 0, 4096);
  IA_TRY(gpu);
  out = Resources{*cpu, *memory, *gpu};
  return {};
}

Status parse_leases(const json::Value& object, std::vector<LeaseRef>& out) {
  const json::Value* leases = object.find("leases");
  if (!leases || leases->is_null()) return {};
  if (!leases->is_array()) {
    return make_error(ErrorCode::invalid_argument,
                      "leases: must be an array of {task_id, lease_id}");
  }
  for (const json::Value& item : leases->as_array()) {
    if (!item.is_object()) {
      return make_error(ErrorCode::invalid_argument,
                        "leases: each item must be an object {task_id, lease_id}");
    }
    Fields fields(item, "leases[].");
    Result<std::int64_t> task = fields.required_integer("task_id", 1, INT64_MAX);
    IA_TRY(task);
    Result<std::int64_t> lease = fields.required_integer("lease_id", 1, INT64_MAX);
    IA_TRY(lease);
    out.push_back(LeaseRef{*task, *lease});
  }
  return {};
}

}  // namespace

Status check_node_id(std::string_view id) {
  bool ok = !id.empty() && id.size() <= 128;
  for (char c : id) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '_' || c == '-';
    ok = ok && allowed;
  }
  if (ok) return {};
  return make_error(ErrorCode::invalid_argument, "node id '" + std::string(id.substr(0, 128)) +
                                                     "' is not 1 to 128 of A-Z a-z 0-9 . _ -");
}

Result<std::int64_t> parse_task_id(std::string_view text) {
  long long id = 0;
  if (!parse_int64(text, id) || id <= 0) {
    return make_error(ErrorCode::invalid_argument,
                      "task id '" + std::string(text.substr(0, 64)) + "' is not a positive integer");
  }
  return static_cast<std::int64_t>(id);
}

Result<Heartbeat> parse_heartbeat(std::string_view body) {
  Result<json::Value> object = parse_object(body.empty() ? std::string_view("{}") : body);
  IA_TRY(object);
  Fields fields(*object);
  Heartbeat beat;
  Result<const json::Value*> capacity = fields.object("capacity");
  IA_TRY(capacity);
  IA_TRY(parse_capacity(*capacity, "capacity.", beat.capacity));
  Result<std::vector<std::string>> labels = fields.strings("labels", 64, 256);
  IA_TRY(labels);
  beat.labels = std::move(*labels);
  Result<double> load = fields.number("load", 0, 0, 1e6);
  IA_TRY(load);
  beat.load = *load;
  Result<bool> idle = fields.boolean("idle", true);
  IA_TRY(idle);
  beat.idle = *idle;
  IA_TRY(parse_leases(*object, beat.leases));
  return beat;
}

Result<std::string> parse_reassign(std::string_view body) {
  Result<json::Value> object = parse_object(body);
  IA_TRY(object);
  Fields fields(*object);
  return fields.string("token_name", true, 64);
}

Result<Heartbeat> parse_legacy_register(std::string_view body, std::string& node_id) {
  Result<json::Value> object = parse_object(body);
  IA_TRY(object);
  Fields fields(*object);
  Result<std::string> id = fields.string("node_id", true, 128);
  IA_TRY(id);
  IA_TRY(check_node_id(*id));
  node_id = *id;
  Heartbeat beat;
  Result<const json::Value*> capacity = fields.object("capacity");
  IA_TRY(capacity);
  // The prototype sent {"cpu_cores", "memory_gb", "gpu_count"}; read both spellings.
  if (*capacity) {
    Fields inner(**capacity, "capacity.");
    Result<double> cores = inner.number("cpu_cores", beat.capacity.cpu, 0, 65536);
    IA_TRY(cores);
    Result<double> memory_gb = inner.number("memory_gb", 0, 0, 1 << 20);
    IA_TRY(memory_gb);
    Result<std::int64_t> gpus = inner.integer("gpu_count", 0, 0, 4096);
    IA_TRY(gpus);
    beat.capacity = Resources{*cores, static_cast<std::int64_t>(*memory_gb * 1024), *gpus};
    IA_TRY(parse_capacity(*capacity, "capacity.", beat.capacity));
  }
  Result<const json::Value*> tags = fields.object("tags");
  IA_TRY(tags);
  if (*tags) {
    for (const json::Member& member : (*tags)->as_object()) {
      std::string value = member.value.is_string() ? member.value.as_string()
                                                   : json::serialize(member.value);
      std::string label = member.key + "=" + value;
      IA_TRY(fields.check_chars("tags." + member.key, label, Chars::printable));
      beat.labels.push_back(std::move(label));
    }
  }
  return beat;
}

Result<LeaseRequest> parse_lease_request(std::string_view body) {
  LeaseRequest request;
  if (trim(body).empty()) return request;
  Result<json::Value> object = parse_object(body);
  IA_TRY(object);
  Fields fields(*object);
  Result<const json::Value*> free = fields.object("free");
  IA_TRY(free);
  if (*free) {
    Resources resources{0, 0, 0};
    IA_TRY(parse_capacity(*free, "free.", resources));
    request.free = resources;
  }
  return request;
}

Result<ResultReport> parse_result(std::string_view body) {
  Result<json::Value> object = parse_object(body);
  IA_TRY(object);
  Fields fields(*object);
  ResultReport report;
  Result<std::int64_t> lease = fields.required_integer("lease_id", 1, INT64_MAX);
  IA_TRY(lease);
  report.lease_id = *lease;
  Result<bool> vacate = fields.boolean("vacate", false);
  IA_TRY(vacate);
  report.vacate = *vacate;
  if (fields.has("exit_code")) {
    Result<std::int64_t> code = fields.integer("exit_code", 0, -255, 255);
    IA_TRY(code);
    report.exit_code = *code;
  } else if (!report.vacate) {
    return fields.invalid("exit_code", "missing required field");
  }
  Result<std::string> status = fields.string("status", false, 32);
  IA_TRY(status);
  if (status->empty()) {
    report.state = report.exit_code.value_or(1) == 0 ? TaskState::succeeded : TaskState::failed;
  } else {
    std::optional<TaskState> state = parse_task_state(*status);
    if (!state || (*state != TaskState::succeeded && *state != TaskState::failed &&
                   *state != TaskState::timed_out)) {
      return fields.invalid("status", "must be succeeded, failed or timed_out, got '" +
                                          *status + "'");
    }
    report.state = *state;
  }
  Result<TaggedOutput> output = parse_output(*object, "output", false, k_max_output_chunk);
  IA_TRY(output);
  report.output = std::move(*output);
  Result<double> wall = fields.number("wall_time", 0, 0, 1e9);
  IA_TRY(wall);
  report.wall_s = *wall;
  Result<std::string> reason = fields.string("reason", false, 4096, Chars::any);
  IA_TRY(reason);
  report.reason = std::move(*reason);
  Result<bool> truncated = fields.boolean("output_truncated", false);
  IA_TRY(truncated);
  report.output_truncated = *truncated;
  return report;
}

Result<OutputChunk> parse_output_chunk(std::string_view body) {
  Result<json::Value> object = parse_object(body);
  IA_TRY(object);
  Fields fields(*object);
  OutputChunk chunk;
  Result<std::int64_t> lease = fields.required_integer("lease_id", 1, INT64_MAX);
  IA_TRY(lease);
  chunk.lease_id = *lease;
  Result<TaggedOutput> data = parse_output(*object, "data", true, k_max_output_chunk);
  IA_TRY(data);
  chunk.data = std::move(*data);
  if (fields.has("offset")) {
    Result<std::int64_t> offset = fields.required_integer("offset", 0, INT64_MAX);
    IA_TRY(offset);
    chunk.offset = *offset;
  }
  return chunk;
}

Result<std::int64_t> parse_wait_seconds(std::string_view name, std::string_view text,
                                        std::int64_t max) {
  long long seconds = 0;
  if (!parse_int64(text, seconds) || seconds < 0 || seconds > max) {
    return make_error(ErrorCode::invalid_argument,
                      std::string(name) + ": must be whole seconds from 0 to " +
                          std::to_string(max) + ", got '" + std::string(text.substr(0, 32)) + "'");
  }
  return static_cast<std::int64_t>(seconds);
}

}  // namespace ia::api
