// Platform-free parts of the sandbox: config mapping, flag lists, the JSON result.
#include <algorithm>

#include "core/strings.hpp"
#include "json/writer.hpp"
#include "sandbox/sandbox.hpp"

namespace ia::sandbox {

Result<Outcome> run(const Spec& spec) {
  Result<Handle> handle = start(spec);
  if (!handle) return std::move(handle).error();
  return handle->wait();
}

Status apply_config(const config::Config& cfg, Spec& spec) {
  Limits& limits = spec.limits;
  limits.timeout = cfg.duration("sandbox.timeout");
  limits.cpu_time = cfg.duration("sandbox.cpu_time");
  limits.memory = cfg.bytes("sandbox.memory");
  limits.pids = cfg.integer("sandbox.pids");
  limits.output = cfg.bytes("sandbox.output_limit");
  limits.open_files = cfg.integer("sandbox.open_files");
  limits.file_size = cfg.bytes("sandbox.file_size");
  limits.tmp_size = cfg.bytes("sandbox.tmp_size");
  limits.cpus = cfg.number("sandbox.cpus");
  spec.uid = static_cast<std::uint32_t>(cfg.integer("sandbox.uid"));
  spec.gid = static_cast<std::uint32_t>(cfg.integer("sandbox.gid"));
  spec.cgroup_parent = cfg.string("sandbox.cgroup_parent");
  if (spec.cgroup_parent.empty() || spec.cgroup_parent.find('/') != std::string::npos ||
      spec.cgroup_parent == "." || spec.cgroup_parent == "..") {
    return make_error(
        ErrorCode::invalid_argument,
        "sandbox.cgroup_parent must be one directory name, not '" + spec.cgroup_parent + "'",
        "use a plain name such as \"ia\"");
  }
  Result<CgroupMode> mode = parse_cgroup_mode(cfg.string("sandbox.cgroups"));
  if (!mode) return std::move(mode).error();
  spec.cgroups = *mode;
  spec.net = cfg.boolean("sandbox.net");
  Result<std::vector<std::string>> required = parse_require(join(cfg.list("sandbox.require"), ","));
  if (!required) return std::move(required).error();
  spec.require = *required;
  return {};
}

Result<CgroupMode> parse_cgroup_mode(std::string_view text) {
  if (text == "auto") return CgroupMode::automatic;
  if (text == "v1") return CgroupMode::v1;
  if (text == "v2") return CgroupMode::v2;
  if (text == "off") return CgroupMode::off;
  return make_error(ErrorCode::invalid_argument,
                    "sandbox.cgroups must be auto, v1, v2 or off, not '" + std::string(text) + "'",
                    "leave it at auto unless the host's cgroups need a choice");
}

Result<std::vector<int>> parse_gpu_list(std::string_view text) {
  std::vector<int> gpus;
  if (trim(text).empty()) return gpus;
  for (const std::string& part : split(text, ',')) {
    long long index = 0;
    if (!parse_int64(trim(part), index) || index < 0 || index > 255) {
      return make_error(ErrorCode::invalid_argument,
                        "bad GPU index '" + std::string(trim(part)) + "' in --gpu",
                        "give GPU indexes separated by commas, such as --gpu 0,1");
    }
    if (std::find(gpus.begin(), gpus.end(), index) == gpus.end()) {
      gpus.push_back(static_cast<int>(index));
    }
  }
  return gpus;
}

const std::vector<std::string>& known_mechanisms() {
  // NOLINTNEXTLINE: constant table.
  static const std::vector<std::string> k_names = {
      "user",    "pid",          "mount", "net",      "ipc",     "uts",       "fs",
      "proc",    "tmp",          "dev",   "mem",      "pids",    "cpu",       "freezer",
      "seccomp", "no_new_privs", "caps",  "uid_drop", "rlimits", "job_object"};
  return k_names;
}

Result<std::vector<std::string>> parse_require(std::string_view text) {
  std::vector<std::string> names;
  if (trim(text).empty()) return names;
  for (const std::string& part : split(text, ',')) {
    std::string name(trim(part));
    if (std::find(known_mechanisms().begin(), known_mechanisms().end(), name) ==
        known_mechanisms().end()) {
      std::string hint = "known: " + join(known_mechanisms(), ",");
      std::string close = closest_match(name, known_mechanisms());
      if (!close.empty()) hint = "did you mean '" + close + "'? " + hint;
      return make_error(ErrorCode::invalid_argument,
                        "unknown mechanism '" + name + "' in --require", hint);
    }
    names.push_back(name);
  }
  return names;
}

std::vector<std::string> unmet(const std::vector<std::string>& required,
                               const std::vector<std::string>& applied) {
  std::vector<std::string> missing;
  for (const std::string& name : required) {
    if (std::find(applied.begin(), applied.end(), name) == applied.end()) {
      missing.push_back(name);
    }
  }
  return missing;
}

Status check_task_files(const Spec& spec) {
  if (!spec.files.empty() && !spec.workdir.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "task files go into the private working directory, and a workdir was given",
                      "write them into the workdir, or leave the workdir empty");
  }
  std::vector<std::string> seen;
  for (const TaskFile& file : spec.files) {
    const std::string& name = file.name;
    if (name.empty() || name == "." || name == ".." ||
        name.find_first_of(std::string("/\\\0", 3)) != std::string::npos) {
      return make_error(ErrorCode::invalid_argument,
                        "task file name '" + name + "' is not one plain file name",
                        "use a name without slashes, such as task.py");
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return make_error(ErrorCode::invalid_argument, "task file '" + name + "' is given twice");
    }
    seen.push_back(name);
  }
  return {};
}

std::vector<std::string> search_path(const std::vector<std::string>& env) {
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  // The first one, as getenv() in the task will find.
  auto entry = std::find_if(env.begin(), env.end(),
                            [](const std::string& e) { return starts_with(e, "PATH="); });
  if (entry != env.end()) path = entry->substr(5);
  std::vector<std::string> dirs;
  for (const std::string& dir : split(path, ':')) {
    if (!dir.empty()) dirs.push_back(dir);
  }
  return dirs;
}

std::vector<std::string> default_env(const std::function<const char*(const char*)>& getenv) {
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin",
                                  std::string("HOME=") + k_task_dir, "TMPDIR=/tmp", "USER=task"};
  for (const char* name : {"LANG", "LC_ALL", "TERM", "TZ"}) {
    if (const char* value = getenv(name)) env.push_back(std::string(name) + "=" + value);
  }
  return env;
}

void set_env(std::vector<std::string>& env, std::string_view name, std::string_view value) {
  std::string entry = std::string(name) + "=" + std::string(value);
  auto same_name = [&](const std::string& other) {
    return other.size() > name.size() && other.compare(0, name.size(), name) == 0 &&
           other[name.size()] == '=';
  };
  auto found = std::find_if(env.begin(), env.end(), same_name);
  if (found == env.end()) {
    env.push_back(std::move(entry));
    return;
  }
  *found = std::move(entry);
  env.erase(std::remove_if(found + 1, env.end(), same_name), env.end());
}

namespace {

void write_limits(json::Writer& out, const Limits& limits) {
  out.key("limits").begin_object();
  out.field("timeout_ms", static_cast<long long>(limits.timeout.count()));
  out.field("cpu_time_ms", static_cast<long long>(limits.cpu_time.count()));
  out.field("memory_bytes", static_cast<long long>(limits.memory));
  out.field("pids", static_cast<long long>(limits.pids));
  out.field("output_bytes", static_cast<long long>(limits.output));
  out.field("open_files", static_cast<long long>(limits.open_files));
  out.field("file_size_bytes", static_cast<long long>(limits.file_size));
  out.field("tmp_bytes", static_cast<long long>(limits.tmp_size));
  out.field("cpus", limits.cpus);
  out.end_object();
}

void write_list(json::Writer& out, std::string_view name, const std::vector<std::string>& items) {
  out.key(name).begin_array();
  for (const std::string& item : items) out.string(item);
  out.end_array();
}

}  // namespace

std::string outcome_json(const Outcome& o) {
  json::Writer out;
  out.begin_object();
  out.field("exit_code", o.exit_code);
  if (o.signal != 0)
    out.field("signal", o.signal);
  else
    out.key("signal").null();
  out.field("timed_out", o.timed_out);
  if (o.limit_hit.empty())
    out.key("limit_hit").null();
  else
    out.field("limit_hit", o.limit_hit);
  out.field("oom_killed", o.oom_killed);
  out.field("wall_ms", static_cast<long long>(o.wall_ms));
  out.field("cpu_ms", static_cast<long long>(o.cpu_ms));
  out.field("max_rss_kb", static_cast<long long>(o.max_rss_kb));
  out.field("stdout", o.stdout_text);
  out.field("stderr", o.stderr_text);
  out.field("stdout_truncated", o.stdout_truncated);
  out.field("stderr_truncated", o.stderr_truncated);
  write_list(out, "isolation", o.isolation);
  write_list(out, "missing", o.missing);
  write_limits(out, o.limits);
  out.end_object();
  return out.take();
}

}  // namespace ia::sandbox
