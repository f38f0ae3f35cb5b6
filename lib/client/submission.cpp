#include "client/submission.hpp"

#include "client/batch.hpp"
#include "json/writer.hpp"

namespace ia::client {
namespace {

Result<api::TaskSpec> base_spec(const SubmitRequest& request) {
  api::TaskSpec spec;
  spec.code = request.script.code;
  spec.interpreter = request.script.interpreter;
  spec.name = request.name.empty() ? request.script.name : request.name;
  spec.args = request.args;
  if (request.timeout_s) spec.timeout_s = *request.timeout_s;
  if (request.cpus) spec.resources.cpu = *request.cpus;
  if (request.memory_mib) spec.resources.memory_mib = *request.memory_mib;
  if (request.gpus) spec.resources.gpu = *request.gpus;
  if (request.priority) spec.priority = *request.priority;
  if (request.retries) spec.max_retries = *request.retries;
  if (request.output_limit) spec.output_limit = *request.output_limit;
  if (request.kill_grace_s) spec.kill_grace_s = *request.kill_grace_s;
  spec.stdin_data = request.stdin_data;
  spec.env = request.exported;
  for (const std::string& text : request.env) {
    Result<std::pair<std::string, std::string>> pair = parse_assignment(text, true);
    if (!pair) return std::move(pair).error();
    // --env wins over --export: the variable the person spelled out is the one sent.
    std::erase_if(spec.env, [&](const auto& entry) { return entry.first == pair->first; });
    spec.env.push_back(*pair);
  }
  for (const std::string& text : request.labels) {
    Result<std::pair<std::string, std::string>> pair = parse_assignment(text, false);
    if (!pair) return std::move(pair).error();
    spec.labels.push_back(text);
  }
  return spec;
}

}  // namespace

Result<std::vector<api::TaskSpec>> expand(const SubmitRequest& request, std::size_t max_tasks) {
  Result<api::TaskSpec> base = base_spec(request);
  if (!base) return std::move(base).error();
  if (!request.array.empty() && !request.each_file.empty()) {
    return make_error(ErrorCode::invalid_argument, "--array and --each cannot be combined",
                      "pick one way to make many tasks");
  }
  std::vector<api::TaskSpec> specs;
  if (!request.array.empty()) {
    Result<std::vector<std::int64_t>> indices = parse_array(request.array, max_tasks);
    if (!indices) return std::move(indices).error();
    for (std::int64_t index : *indices) {
      api::TaskSpec spec = *base;
      spec.env.emplace_back("IA_ARRAY_INDEX", std::to_string(index));
      spec.name += "[" + std::to_string(index) + "]";
      specs.push_back(std::move(spec));
    }
  } else if (!request.each_file.empty()) {
    Result<std::vector<std::vector<std::string>>> lines = read_each_file(request.each_file);
    if (!lines) return std::move(lines).error();
    if (lines->size() > max_tasks) {
      return make_error(ErrorCode::invalid_argument,
                        request.each_file + " has " + std::to_string(lines->size()) +
                            " lines, more than the limit of " + std::to_string(max_tasks));
    }
    for (const std::vector<std::string>& words : *lines) {
      api::TaskSpec spec = *base;
      spec.args.insert(spec.args.end(), words.begin(), words.end());
      specs.push_back(std::move(spec));
    }
  } else {
    specs.push_back(std::move(base).value());
  }
  return specs;
}

std::string submit_body(const api::TaskSpec& spec) {
  json::Writer out;
  api::write_spec(out, spec);
  return out.take();
}

}  // namespace ia::client
