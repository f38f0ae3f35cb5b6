#include "request.hpp"

#include <unistd.h>

#include "client/task_input.hpp"
#include "core/units.hpp"

extern char** environ;

namespace ia::submit_tool {
namespace {

constexpr std::size_t k_max_script = 64u << 20;

Result<std::int64_t> seconds_flag(const std::string& flag, const std::string& text,
                                  std::int64_t min_s, std::int64_t max_s) {
  Result<Millis> parsed = parse_duration(text);
  if (!parsed) return std::move(parsed).error();
  std::int64_t seconds = (parsed->count() + 999) / 1000;
  if (parsed->count() < min_s * 1000 || seconds > max_s) {
    return make_error(ErrorCode::invalid_argument,
                      flag + " " + text + " is outside " + format_duration(Millis(min_s * 1000)) +
                          " to " + format_duration(Millis(max_s * 1000)),
                      "give a duration such as 90s or 10m");
  }
  return seconds;
}

Status read_sizes(const Flags& flags, client::SubmitRequest& request) {
  if (!flags.memory.empty()) {
    Result<std::uint64_t> bytes = parse_bytes(flags.memory);
    if (!bytes) return std::move(bytes).error();
    request.memory_mib = static_cast<std::int64_t>((*bytes + (1u << 20) - 1) >> 20);
  }
  if (!flags.output_limit.empty()) {
    Result<std::uint64_t> bytes = parse_bytes(flags.output_limit);
    if (!bytes) return std::move(bytes).error();
    // The server's maximum ([sched] max_output) is checked there and named in its error.
    request.output_limit = static_cast<std::int64_t>(std::min<std::uint64_t>(*bytes, INT64_MAX));
  }
  return {};
}

Status read_inputs(const Flags& flags, client::SubmitRequest& request) {
  if (!flags.stdin_source.empty()) {
    if (flags.stdin_source == "-" && flags.script == "-") {
      return make_error(ErrorCode::invalid_argument,
                        "--stdin - and a script read from standard input cannot share it",
                        "give the script as a file, or the input with --stdin FILE");
    }
    Result<std::string> data = client::read_task_stdin(flags.stdin_source, k_max_script);
    if (!data) return std::move(data).error();
    request.stdin_data = std::move(*data);
  }
  Result<client::EnvList> exported = client::exported_env(flags.exports, flags.export_all, environ);
  if (!exported) return std::move(exported).error();
  request.exported = std::move(*exported);
  return {};
}

}  // namespace

Result<client::SubmitRequest> to_request(const Flags& flags) {
  Result<client::Script> script = client::load_script(flags.script, flags.interpreter, k_max_script);
  if (!script) return std::move(script).error();
  client::SubmitRequest request;
  request.script = std::move(script).value();
  request.args = flags.args;
  request.name = flags.name;
  if (!flags.timeout.empty()) {
    Result<ia::Millis> timeout = ia::parse_duration(flags.timeout);
    if (!timeout) return std::move(timeout).error();
    if (*timeout < std::chrono::seconds(1)) {
      return make_error(ErrorCode::invalid_argument,
                        "--timeout " + flags.timeout + " is shorter than the 1s minimum",
                        "give a wall-time limit from 1s to 7d, such as 90s or 10m");
    }
    request.timeout_s = (timeout->count() + 999) / 1000;
  }
  if (!flags.kill_grace.empty()) {
    Result<std::int64_t> grace =
        seconds_flag("--kill-grace", flags.kill_grace, 0, api::k_max_kill_grace_s);
    if (!grace) return std::move(grace).error();
    request.kill_grace_s = *grace;
  }
  IA_TRY(read_sizes(flags, request));
  IA_TRY(read_inputs(flags, request));
  request.cpus = flags.cpus;
  request.gpus = flags.gpus;
  request.priority = flags.priority;
  request.retries = flags.retries;
  request.env = flags.env;
  request.labels = flags.labels;
  request.array = flags.array;
  request.each_file = flags.each;
  return request;
}

}  // namespace ia::submit_tool

namespace ia::submit_tool {

bool stdin_left_behind(const Flags& flags) {
  return flags.stdin_source.empty() && flags.script != "-" &&
         client::stdin_looks_meant_for_task(STDIN_FILENO);
}

}  // namespace ia::submit_tool
