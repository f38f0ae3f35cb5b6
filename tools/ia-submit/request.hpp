// ia-submit's flags and their turning into a client::SubmitRequest: sizes and durations
// parsed and checked here, by flag name, before anything is sent.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client/submission.hpp"

namespace ia::submit_tool {

struct Flags {
  std::string script;
  std::vector<std::string> args;
  std::string interpreter, name, timeout, memory, array, each, output_limit, stdin_source,
      kill_grace;
  std::optional<double> cpus;
  std::optional<std::int64_t> gpus, priority, retries;
  std::vector<std::string> env, labels, exports;
  bool export_all = false;
  bool wait = false, parsable = false, cancel_on_interrupt = false, strict = false,
       yes = false;
};

Result<client::SubmitRequest> to_request(const Flags& flags);

}  // namespace ia::submit_tool

namespace ia::submit_tool {

// Standard input holds something (a pipe, a non-empty file) that the task will not get,
// because no --stdin asked for it: ia-submit says so rather than drop it silently.
bool stdin_left_behind(const Flags& flags);

}  // namespace ia::submit_tool
