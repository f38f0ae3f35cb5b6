// ia-node's loop: while the machine is idle, lease tasks and run them in the sandbox;
// forward their output; freeze, thaw or vacate them as the owner comes and goes; spool
// and deliver results exactly once; heartbeat. run() blocks; request_drain() and
// request_stop() may be called from any thread (a signal thread, a test).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/log.hpp"
#include "node/backoff.hpp"
#include "node/idle_probe.hpp"
#include "node/link.hpp"
#include "node/owner_policy.hpp"
#include "node/spool.hpp"
#include "node/task_run.hpp"

namespace ia::node {

struct AgentOptions {
  std::string node_id;
  std::string state_dir;
  int slots = 1;
  api::Resources capacity;
  std::vector<std::string> labels;
  Millis suspend_grace{10 * 60 * 1000};
  Millis drain_timeout{5 * 60 * 1000};
  Millis poll_wait{30 * 1000};
  Millis check_interval{2000};
  Millis heartbeat_interval{10 * 1000};
  sandbox::Spec sandbox_base;
  bool once = false;    // ia-node once: stop when busy, out of work, or past max_time
  Millis max_time{0};   // once mode; 0 = no limit
};

// What a SIGHUP may change while the agent runs; identity, state directory and the
// scheduler's address need a restart.
struct Reload {
  int slots = 1;
  std::vector<std::string> labels;
  Millis suspend_grace{0}, drain_timeout{0}, poll_wait{0}, check_interval{0},
      heartbeat_interval{0};
  idle::Policy policy;
  bool always_idle = false;
};

// Why run() returned; ia-node maps it to an exit code.
enum class AgentExit { drained, out_of_work, owner_busy, max_time, unreachable, refused };

class Agent {
 public:
  Agent(AgentOptions options, SchedulerLink& link, IdleProbe& probe, Logger& log);
  ~Agent();

  Result<AgentExit> run();
  void request_drain();  // SIGTERM: no new leases; running tasks finish or are vacated
  void request_stop();   // stop now: vacate what runs
  void request_reload(Reload reload);  // applied by the loop at its next turn

 private:
  struct Running {
    std::unique_ptr<TaskRun> run;
    api::TaggedOutput unsent;  // output not yet accepted by the scheduler
    std::int64_t delivered = 0;  // where unsent starts in the task's output
    bool output_cut = false;   // unsent outgrew what the node keeps: some was dropped
  };

  void lease_loop();
  bool lease_once();
  void check(std::int64_t now_ms);
  void apply(const std::vector<Decision>& decisions);
  void forward_output();
  struct Upload {
    std::size_t sent = 0;  // bytes from the front of the output
    Status failed;         // why it stopped short, if it did
  };
  // offset: where output starts in the task's output (nullopt: unknown).
  Upload send_output(std::int64_t task_id, std::int64_t lease_id,
                     std::optional<std::int64_t> offset, const api::TaggedOutput& output,
                     bool keep_last_part);
  void collect_finished();
  void finish(std::int64_t task_id, Running running, bool vacate);
  void end_within_grace(TaskRun& run);
  void deliver_spool();
  Status deliver_in_parts(const SpooledResult& result);
  void heartbeat(std::int64_t now_ms);
  void cancel(const std::vector<api::LeaseRef>& leases);
  void vacate_all();
  void write_status() const;
  void apply_reload();
  api::Resources free_resources() const;  // needs m_mutex
  std::vector<int> free_gpus() const;     // needs m_mutex
  int used_slots() const { return static_cast<int>(m_runs.size()) + m_finishing; }  // needs m_mutex
  void log_event_sources();
  void freeze_for_input(std::int64_t now_ms);
  bool should_stop(std::int64_t now_ms, std::int64_t started_ms, AgentExit& why);

  AgentOptions m_options;
  SchedulerLink& m_link;
  IdleProbe& m_probe;
  Logger& m_log;
  Spool m_spool;
  OwnerPolicy m_owner;
  Backoff m_lease_backoff;     // lease thread only
  Backoff m_delivery_backoff;  // agent thread only
  // The JSON bytes one output upload may carry: under the scheduler's body limit
  // ([sched] max_body, 1M by default), halved when it answers 413. Agent thread only.
  std::size_t m_upload_budget = 256 * 1024;

  mutable std::mutex m_mutex;  // guards m_runs, m_finishing, m_accepting, m_busy_gpus, m_no_work
  std::condition_variable m_wake;
  std::map<std::int64_t, Running> m_runs;
  int m_finishing = 0;  // runs out of m_runs whose results are not yet delivered
  bool m_accepting = false;
  std::set<int> m_busy_gpus;
  bool m_no_work = false;   // the last lease poll came back empty
  std::atomic<bool> m_reachable{true};
  std::atomic<bool> m_draining{false};
  std::atomic<bool> m_stopping{false};
  std::atomic<bool> m_refused{false};  // the scheduler refused the token: retrying is futile
  int m_refusals = 0;                  // heartbeats refused in a row; agent thread only
  std::atomic<std::int64_t> m_drain_deadline_ms{0};
  bool m_machine_idle = false;
  std::optional<Reload> m_pending_reload;  // guarded by m_mutex
  bool m_run_ended = false;                // a task ended since the loop last looked; m_mutex
  bool m_owner_input = false;              // the owner's input was seen since; m_mutex
  std::int64_t m_next_heartbeat_ms = 0;
  std::atomic<std::int64_t> m_next_delivery_ms{0};
  std::string m_state = "starting";
};

}  // namespace ia::node
