// From what a person typed to the tasks ia-submit sends: one TaskSpec, or one per
// --array index or --each line. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/task.hpp"
#include "client/script.hpp"
#include "core/result.hpp"

namespace ia::client {

struct SubmitRequest {
  Script script;
  std::vector<std::string> args;
  std::string name;
  std::optional<std::int64_t> timeout_s;
  std::optional<double> cpus;
  std::optional<std::int64_t> memory_mib;
  std::optional<std::int64_t> gpus;
  std::optional<std::int64_t> priority;
  std::optional<std::int64_t> retries;
  std::optional<std::int64_t> output_limit;  // bytes
  std::optional<std::int64_t> kill_grace_s;
  std::string stdin_data;
  std::vector<std::pair<std::string, std::string>> exported;  // --export, before --env
  std::vector<std::string> env;     // K=V
  std::vector<std::string> labels;  // k=v
  std::string array;                // "1-100", "" for none
  std::string each_file;            // "" for none
};

// Every task the request stands for, in order. --array sets IA_ARRAY_INDEX and names
// tasks "name[i]"; --each appends each line's words to the arguments.
Result<std::vector<api::TaskSpec>> expand(const SubmitRequest& request, std::size_t max_tasks);

// The POST /v1/tasks body for one spec.
std::string submit_body(const api::TaskSpec& spec);

}  // namespace ia::client
