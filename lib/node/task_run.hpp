// One leased task running in the sandbox: its working directory with the script in it,
// the sandbox handle, a thread that pumps its output, and the chunks not yet forwarded.
// The agent's thread calls freeze/thaw/kill/take_output/finished; the pump thread only
// appends output (OutputBox) and stores the outcome (m_mutex).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/task.hpp"
#include "core/result.hpp"
#include "sandbox/sandbox.hpp"

namespace ia::node {

struct Lease {
  std::int64_t task_id = 0;
  std::int64_t lease_id = 0;
  std::int64_t output_offset = 0;  // where this run's output starts in the task's
  api::TaskSpec spec;
  std::vector<int> gpus;  // GPU indexes this node assigned to the task
};

// The sandbox spec for a lease: the node's base spec (limits from [sandbox], uid, cgroup
// parent) narrowed by what the task asked for. The script travels in the spec's files, as
// script_name in the task's private working directory.
sandbox::Spec spec_for(const Lease& lease, const sandbox::Spec& base,
                       const std::string& script_name);

// The file name the script is written under: "task.py" for python3, "task.sh", ...
std::string script_file_name(const api::TaskSpec& spec);

// Output on its way from the sandbox's reader to the agent, stdout and stderr
// interleaved as they came. Each stream's last bytes are held back while a later read
// may complete them into a UTF-8 character, so a character split between two reads is
// not sent as two invalid halves. Thread safe.
class OutputBox {
 public:
  void add(sandbox::Stream stream, std::string_view chunk);
  void close();  // the task ended: nothing will complete what is held back
  api::TaggedOutput take();

 private:
  void append_locked(std::string& held, std::string_view chunk, bool from_stderr);

  std::mutex m_mutex;
  api::TaggedOutput m_pending;
  std::string m_held_stdout, m_held_stderr;
};

class TaskRun {
 public:
  // on_end runs on the pump thread once the task has ended (finished() is then true).
  static Result<std::unique_ptr<TaskRun>> start(Lease lease, const sandbox::Spec& base,
                                                std::function<void()> on_end = {});
  ~TaskRun();
  TaskRun(const TaskRun&) = delete;
  TaskRun& operator=(const TaskRun&) = delete;

  const Lease& lease() const { return m_lease; }
  Status freeze();
  Status thaw();
  Status kill();
  // SIGTERM now, SIGKILL after the task's kill grace (the sandbox keeps the deadline).
  Status terminate();
  // Waits until the task has ended or limit passes; whether it ended.
  bool wait_finished(Millis limit);
  bool frozen() const { return m_frozen; }

  // Output produced since the last call, stdout and stderr interleaved as they came.
  api::TaggedOutput take_output();
  bool finished() const;
  // The outcome once finished(); the sandbox's own failure as an Error.
  Result<sandbox::Outcome> outcome() const;

 private:
  TaskRun(Lease lease, sandbox::Handle handle, std::shared_ptr<OutputBox> output);
  void pump();

  Lease m_lease;
  sandbox::Handle m_handle;
  bool m_frozen = false;
  std::shared_ptr<OutputBox> m_output;
  mutable std::mutex m_mutex;  // guards m_outcome
  std::condition_variable m_ended;
  std::optional<Result<sandbox::Outcome>> m_outcome;
  std::function<void()> m_on_end;
  std::thread m_pump;
};

}  // namespace ia::node
