// A durable spool of finished results that could not be delivered yet: each is one file
// in a directory, written with fsync before the task is forgotten, removed only after the
// scheduler acknowledged it. A node that crashes or loses the scheduler loses no result.
// Not thread safe; the agent loop owns it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/node.hpp"
#include "core/result.hpp"

namespace ia::node {

struct SpooledResult {
  std::int64_t task_id = 0;
  std::string lease_id;
  std::string body;  // the JSON body of POST /v1/tasks/{id}/result
};

class Spool {
 public:
  explicit Spool(std::string directory) : m_directory(std::move(directory)) {}

  Status open();  // creates the directory (0700) if needed
  Status put(const SpooledResult& result);
  // Every spooled result, oldest task id first. Unreadable files are reported, not lost.
  Result<std::vector<SpooledResult>> list() const;
  // The leases whose results wait here, from the file names alone.
  Result<std::vector<api::LeaseRef>> leases() const;
  Status remove(std::int64_t task_id, const std::string& lease_id);

 private:
  std::string path_for(std::int64_t task_id, const std::string& lease_id) const;

  std::string m_directory;
};

}  // namespace ia::node
