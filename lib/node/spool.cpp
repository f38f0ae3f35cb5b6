#include "node/spool.hpp"

#include <algorithm>

#include "core/file.hpp"
#include "core/strings.hpp"
#include "node/identity.hpp"

namespace ia::node {
namespace {

constexpr std::string_view k_suffix = ".result.json";

// File names are "<task>_<lease>.result.json"; lease ids are checked like node ids so a
// hostile lease id cannot name a path outside the spool.
bool parse_name(const std::string& name, std::int64_t& task_id, std::string& lease_id) {
  if (name.size() <= k_suffix.size() || name.substr(name.size() - k_suffix.size()) != k_suffix) {
    return false;
  }
  std::string stem = name.substr(0, name.size() - k_suffix.size());
  std::size_t underscore = stem.find('_');
  if (underscore == std::string::npos) return false;
  long long id = 0;
  if (!parse_int64(stem.substr(0, underscore), id) || id <= 0) return false;
  task_id = id;
  lease_id = stem.substr(underscore + 1);
  return static_cast<bool>(validate_node_id(lease_id));
}

}  // namespace

Status Spool::open() { return make_directories(m_directory, 0700); }

std::string Spool::path_for(std::int64_t task_id, const std::string& lease_id) const {
  return m_directory + "/" + std::to_string(task_id) + "_" + lease_id + std::string(k_suffix);
}

Status Spool::put(const SpooledResult& result) {
  if (Status valid = validate_node_id(result.lease_id); !valid || result.task_id <= 0) {
    return make_error(ErrorCode::invalid_argument,
                      "cannot spool the result of task " + std::to_string(result.task_id) +
                          ": bad lease id '" + result.lease_id + "'");
  }
  return write_file_durably(path_for(result.task_id, result.lease_id), result.body, 0600);
}

Result<std::vector<SpooledResult>> Spool::list() const {
  Result<std::vector<std::string>> names = list_directory(m_directory);
  if (!names) return std::move(names).error();
  std::vector<SpooledResult> results;
  for (const std::string& name : *names) {
    SpooledResult result;
    if (!parse_name(name, result.task_id, result.lease_id)) continue;
    Result<std::string> body = read_file(m_directory + "/" + name);
    if (!body) return std::move(body).error();
    result.body = std::move(body).value();
    results.push_back(std::move(result));
  }
  std::sort(results.begin(), results.end(),
            [](const SpooledResult& a, const SpooledResult& b) { return a.task_id < b.task_id; });
  return results;
}

Result<std::vector<api::LeaseRef>> Spool::leases() const {
  Result<std::vector<std::string>> names = list_directory(m_directory);
  if (!names) return std::move(names).error();
  std::vector<api::LeaseRef> leases;
  for (const std::string& name : *names) {
    std::int64_t task_id = 0;
    std::string lease_text;
    long long lease_id = 0;
    if (parse_name(name, task_id, lease_text) && parse_int64(lease_text, lease_id)) {
      leases.push_back({task_id, lease_id});
    }
  }
  return leases;
}

Status Spool::remove(std::int64_t task_id, const std::string& lease_id) {
  return remove_file(path_for(task_id, lease_id));
}

}  // namespace ia::node
