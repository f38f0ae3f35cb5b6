#include "node/agent.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <thread>
#include <utility>

#include "api/output.hpp"
#include "core/file.hpp"
#include "core/strings.hpp"
#include "core/sd_notify.hpp"
#include "core/time.hpp"
#include "json/value.hpp"
#include "json/writer.hpp"

namespace ia::node {
namespace {

// Output held back while the scheduler cannot be reached is bounded per task; the
// scheduler keeps at most the task's output limit anyway.
constexpr std::size_t k_max_unsent = 4u << 20;
// The smallest upload budget: [sched] max_body is at least 1K, and the request's other
// members need room too.
constexpr std::size_t k_min_upload_budget = 512;
// Heartbeats in a row whose token is refused before the agent gives up.
constexpr int k_refusals_to_stop = 3;

// A delivery that failed so may succeed later, and its result stays in the spool: the
// scheduler could not be reached, or it refused the token (the token is at fault, not
// the result).
bool worth_retrying(ErrorCode code) {
  return code == ErrorCode::unavailable || code == ErrorCode::unauthorized ||
         code == ErrorCode::forbidden;
}

}  // namespace

Agent::Agent(AgentOptions options, SchedulerLink& link, IdleProbe& probe, Logger& log)
    : m_options(std::move(options)),
      m_link(link),
      m_probe(probe),
      m_log(log),
      m_spool(m_options.state_dir + "/spool"),
      m_owner(m_options.suspend_grace),
      m_lease_backoff(Millis(500), Millis(30'000), static_cast<std::uint64_t>(::getpid())),
      m_delivery_backoff(Millis(500), Millis(30'000), static_cast<std::uint64_t>(::getpid()) + 1) {}

Agent::~Agent() = default;

void Agent::request_drain() {
  if (!m_draining.exchange(true)) {
    m_drain_deadline_ms = steady_now_ms() + m_options.drain_timeout.count();
  }
  m_link.interrupt();
  m_wake.notify_all();
}

void Agent::request_stop() {
  m_stopping = true;
  m_link.interrupt();
  m_wake.notify_all();
}

void Agent::request_reload(Reload reload) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_pending_reload = std::move(reload);
  }
  m_wake.notify_all();
}

void Agent::apply_reload() {
  std::optional<Reload> reload;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    reload.swap(m_pending_reload);
    if (!reload) return;
    m_options.slots = reload->slots;
    m_options.labels = reload->labels;
    m_options.drain_timeout = reload->drain_timeout;
    m_options.poll_wait = reload->poll_wait;
    m_options.check_interval = reload->check_interval;
    m_options.heartbeat_interval = reload->heartbeat_interval;
  }
  m_owner.set_grace(reload->suspend_grace);
  m_probe.set_policy(std::move(reload->policy), reload->always_idle);
  m_next_heartbeat_ms = 0;  // tell the scheduler about new labels at once
  m_log.info("configuration reloaded: " + std::to_string(m_options.slots) + " slot(s)");
}

Result<AgentExit> Agent::run() {
  IA_TRY(m_spool.open());
  // Type=notify in ia-node.service: ready once the state is locked and the spool open.
  Status told = notify_service_manager("READY=1");
  if (!told) m_log.warning(told.error().describe());
  std::int64_t started = steady_now_ms();
  m_log.info("node " + m_options.node_id + " starting with " + std::to_string(m_options.slots) +
             " slot(s)");
  check(started);
  heartbeat(started);
  deliver_spool();
  std::thread leaser([this] { lease_loop(); });
  // The owner's first input wakes the loop to look (and freeze) at once, not at the next
  // check_interval.
  m_probe.watch_input([this] {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_owner_input = true;
    }
    m_wake.notify_all();
  });
  log_event_sources();
  AgentExit why = AgentExit::drained;
  while (true) {
    apply_reload();
    std::int64_t now = steady_now_ms();
    check(now);
    forward_output();
    collect_finished();
    if (now >= m_next_delivery_ms.load()) deliver_spool();
    if (now >= m_next_heartbeat_ms) heartbeat(now);
    write_status();
    if (should_stop(now, started, why)) break;
    // A busy verdict that time alone ends (input idle_time, resume_after) is looked at
    // again when it may have ended, however long check_interval is.
    // Heartbeats and deliveries keep their own times, check_interval is no upper bound
    // for them (it may be minutes now that events wake the loop).
    Millis wait = m_options.check_interval;
    if (std::optional<Millis> settles = m_probe.settles_in()) {
      wait = std::min(wait, *settles + Millis(5));
    }
    std::int64_t next_due = std::min(m_next_heartbeat_ms, m_next_delivery_ms.load());
    wait = std::clamp(Millis(next_due - steady_now_ms()), Millis(0), wait);
    std::unique_lock<std::mutex> lock(m_mutex);
    m_wake.wait_for(lock, wait, [&] {
      return m_stopping.load() || m_pending_reload.has_value() || m_run_ended || m_owner_input;
    });
    m_run_ended = false;
    bool owner_input = std::exchange(m_owner_input, false);
    lock.unlock();
    if (owner_input) freeze_for_input(steady_now_ms());
  }
  m_probe.watch_input(nullptr);
  (void)notify_service_manager("STOPPING=1");
  m_stopping = true;
  m_link.interrupt();
  m_wake.notify_all();
  leaser.join();
  vacate_all();
  deliver_spool();
  m_state = "stopped";
  write_status();
  return why;
}

// The owner's input is decisive: every task freezes now, before the full look (CPU,
// memory, GPUs, processes) that follows at once and confirms it.
void Agent::freeze_for_input(std::int64_t now) {
  if (!m_probe.input_counts_at_once()) return;
  Observation busy{now, false, {}};
  std::vector<RunningTask> tasks;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const auto& [id, running] : m_runs) tasks.push_back({id, running.run->lease().gpus});
    busy.busy_gpus = m_busy_gpus;
    m_accepting = false;
  }
  apply(m_owner.decide(busy, tasks));
}

void Agent::log_event_sources() {
  std::vector<std::string> live, absent;
  for (const idle::EventSource& source : m_probe.event_sources()) {
    (source.live ? live : absent).push_back(source.name + " (" + source.detail + ")");
  }
  if (live.empty() && absent.empty()) return;
  m_log.info("watching the owner by events: " + (live.empty() ? "none" : join(live, ", ")) +
             (absent.empty() ? "" : "; not live: " + join(absent, ", ")) +
             "; polling every " + format_duration(m_options.check_interval) + " as the fallback");
}

bool Agent::should_stop(std::int64_t now, std::int64_t started, AgentExit& why) {
  std::size_t running;
  bool no_work;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    running = m_runs.size();
    no_work = m_no_work;
  }
  if (m_refused) return (why = AgentExit::refused), true;
  if (m_stopping) return (why = AgentExit::drained), true;
  if (m_draining) {
    if (running == 0) return (why = AgentExit::drained), true;
    if (now >= m_drain_deadline_ms) {
      m_log.warning("drain timeout reached: vacating " + std::to_string(running) + " task(s)");
      return (why = AgentExit::drained), true;
    }
    return false;
  }
  if (!m_options.once) return false;
  if (m_options.max_time.count() > 0 && now - started >= m_options.max_time.count()) {
    return (why = AgentExit::max_time), true;
  }
  if (!m_machine_idle) return (why = AgentExit::owner_busy), true;
  if (running == 0 && no_work) return (why = AgentExit::out_of_work), true;
  if (running == 0 && !m_reachable) return (why = AgentExit::unreachable), true;
  return false;
}

void Agent::check(std::int64_t now) {
  Result<Observation> observed = m_probe.observe(now);
  Observation observation{now, false, {}};
  if (observed) {
    observation = *observed;
  } else {
    // Owner first: when the machine cannot be read, assume someone is using it.
    m_log.warning("idle check failed, treating the machine as busy: " +
                  observed.error().describe());
  }
  if (m_machine_idle != observation.machine_idle) {
    m_log.info(observation.machine_idle ? "machine is idle: working"
                                        : "machine is busy: " + m_probe.busy_reason());
  }
  m_machine_idle = observation.machine_idle;
  std::vector<RunningTask> tasks;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const auto& [id, running] : m_runs) tasks.push_back({id, running.run->lease().gpus});
    m_busy_gpus = observation.busy_gpus;
    m_accepting = OwnerPolicy::accepts_work(observation) && !m_draining && !m_stopping;
  }
  apply(m_owner.decide(observation, tasks));
  m_state = m_draining ? "draining" : (m_machine_idle ? "working" : "owner-busy");
  m_wake.notify_all();
}

void Agent::apply(const std::vector<Decision>& decisions) {
  for (const Decision& decision : decisions) {
    std::unique_lock<std::mutex> lock(m_mutex);
    auto it = m_runs.find(decision.task_id);
    if (it == m_runs.end()) continue;
    std::string id = std::to_string(decision.task_id);
    if (decision.action == Action::freeze) {
      if (Status frozen = it->second.run->freeze(); !frozen) {
        m_log.warning("freezing task " + id + ": " + frozen.error().describe());
      } else {
        m_log.info("task " + id + " frozen: the owner is back");
      }
    } else if (decision.action == Action::thaw) {
      if (Status thawed = it->second.run->thaw(); !thawed) {
        m_log.warning("thawing task " + id + ": " + thawed.error().describe());
      } else {
        m_log.info("task " + id + " thawed");
      }
    } else {
      Running running = std::move(it->second);
      m_runs.erase(it);
      lock.unlock();
      m_log.info("task " + id + " vacated: the owner stayed past the grace period");
      finish(decision.task_id, std::move(running), true);
    }
  }
}

void Agent::forward_output() {
  struct Pending {
    std::int64_t task_id, lease_id, offset;
    api::TaggedOutput data;
  };
  std::vector<Pending> pending;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto& [id, running] : m_runs) {
      running.unsent.append(running.run->take_output());
      if (running.unsent.size() > k_max_unsent) {
        running.unsent.truncate(k_max_unsent);
        running.output_cut = true;
      }
      if (!running.unsent.empty()) {
        pending.push_back({id, running.run->lease().lease_id, running.delivered, running.unsent});
      }
    }
  }
  for (const Pending& chunk : pending) {
    // What did not go stays in unsent; a cancelled lease is handled by the heartbeat.
    Upload upload = send_output(chunk.task_id, chunk.lease_id, chunk.offset, chunk.data, false);
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_runs.find(chunk.task_id);
    if (it != m_runs.end()) {
      it->second.unsent.drop_front(upload.sent);
      it->second.delivered += static_cast<std::int64_t>(upload.sent);
    }
  }
}

// Uploads output from its front in parts that fit the scheduler's body limit, until
// all of it went, or what is left fits one part (keep_last_part: a result carries it),
// or an upload fails.
Agent::Upload Agent::send_output(std::int64_t task_id, std::int64_t lease_id,
                                 std::optional<std::int64_t> offset,
                                 const api::TaggedOutput& output, bool keep_last_part) {
  Upload upload;
  std::size_t& sent = upload.sent;
  while (sent < output.size()) {
    api::TaggedOutput rest = output.slice(sent, output.size());
    if (keep_last_part && api::json_size(rest) <= m_upload_budget) break;
    api::TaggedOutput part = rest.slice(0, api::json_prefix_size(rest, m_upload_budget));
    std::optional<std::int64_t> at;
    if (offset) at = *offset + static_cast<std::int64_t>(sent);
    Status posted = m_link.append_output(task_id, lease_id, at, part);
    if (!posted && posted.error().code == ErrorCode::payload_too_large &&
        m_upload_budget > k_min_upload_budget) {
      m_upload_budget = std::max(k_min_upload_budget, m_upload_budget / 2);
      continue;
    }
    if (!posted) {
      if (posted.error().code == ErrorCode::unavailable) m_reachable = false;
      m_log.debug("output of task " + std::to_string(task_id) +
                  " not sent: " + posted.error().describe());
      upload.failed = posted;
      break;
    }
    sent += part.size();
  }
  return upload;
}

void Agent::collect_finished() {
  std::vector<std::pair<std::int64_t, Running>> done;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto it = m_runs.begin(); it != m_runs.end();) {
      if (it->second.run->finished()) {
        done.emplace_back(it->first, std::move(it->second));
        it = m_runs.erase(it);
      } else {
        ++it;
      }
    }
    m_finishing += static_cast<int>(done.size());
  }
  if (done.empty()) return;
  for (auto& [id, running] : done) finish(id, std::move(running), false);
  // Results first, then the lease thread (m_finishing holds the slots until then):
  // ia-sched counts a lease against the node until its result arrives, so a lease
  // request sent before would find the node full and wait out its whole long poll.
  deliver_spool();
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_finishing -= static_cast<int>(done.size());
  }
  m_wake.notify_all();
}

void Agent::finish(std::int64_t task_id, Running running, bool vacate) {
  if (vacate) end_within_grace(*running.run);
  api::TaggedOutput output = std::move(running.unsent);
  output.append(running.run->take_output());
  Result<sandbox::Outcome> outcome = running.run->outcome();
  std::int64_t lease_id = running.run->lease().lease_id;
  if (!vacate && outcome) {
    m_log.info("task " + std::to_string(task_id) + " finished with exit code " +
               std::to_string(outcome->exit_code));
  }
  // The result carries what one request can; the rest goes ahead as output while the
  // scheduler answers. Otherwise all of it waits in the spool (delivered in parts).
  output.drop_front(send_output(task_id, lease_id, running.delivered, output, true).sent);
  std::string body = result_body(lease_id, outcome, vacate, output, running.output_cut);
  running.run.reset();  // waits for the sandbox to be gone and its directory removed
  if (Status spooled = m_spool.put({task_id, std::to_string(lease_id), body}); !spooled) {
    m_log.error("cannot spool the result of task " + std::to_string(task_id) + ": " +
                spooled.error().describe());
    (void)m_link.report_result(task_id, body);
    return;
  }
  m_next_delivery_ms = 0;
}

// A vacated task gets SIGTERM and its kill grace to save its work (what it prints then
// still goes with its result); the sandbox sends SIGKILL when the grace runs out.
void Agent::end_within_grace(TaskRun& run) {
  if (Status ended = run.terminate(); !ended) {
    m_log.warning("ending task " + std::to_string(run.lease().task_id) + ": " +
                  ended.error().describe());
    (void)run.kill();
  }
  Millis grace(run.lease().spec.kill_grace_s * 1000);
  if (!run.wait_finished(grace + std::chrono::seconds(5))) (void)run.kill();
}

void Agent::deliver_spool() {
  Result<std::vector<SpooledResult>> spooled = m_spool.list();
  if (!spooled) {
    m_log.error("reading the result spool: " + spooled.error().describe());
    return;
  }
  for (const SpooledResult& result : *spooled) {
    Status sent = m_link.report_result(result.task_id, result.body);
    if (!sent && sent.error().code == ErrorCode::payload_too_large) {
      sent = deliver_in_parts(result);
    }
    if (!sent && worth_retrying(sent.error().code)) {
      m_reachable = sent.error().code != ErrorCode::unavailable;
      m_next_delivery_ms = steady_now_ms() + m_delivery_backoff.next().count();
      return;
    }
    if (!sent && sent.error().code != ErrorCode::conflict) {
      // The scheduler refused it for good (a task it no longer knows, a body it rejects):
      // keeping it would retry forever.
      m_log.error("result of task " + std::to_string(result.task_id) +
                  " refused: " + sent.error().describe());
    }
    m_reachable = true;
    if (Status removed = m_spool.remove(result.task_id, result.lease_id); !removed) {
      m_log.error(removed.error().describe());
    }
  }
  m_delivery_backoff.reset();
  m_next_delivery_ms = steady_now_ms() + m_options.heartbeat_interval.count();
}

// A spooled result too large for the scheduler's body limit (spooled while it could not
// be reached): its output goes ahead in parts, the spool keeping what is still unsent,
// then the result with the rest.
Status Agent::deliver_in_parts(const SpooledResult& result) {
  Result<json::Value> body = json::parse(result.body);
  IA_TRY(body);
  const json::Value* lease = body->find("lease_id");
  Result<api::TaggedOutput> output = api::parse_output(*body, "output", false, SIZE_MAX);
  if (!lease || !lease->is_int() || !output) {
    return make_error(ErrorCode::internal,
                      "spooled result of task " + std::to_string(result.task_id) + " is damaged");
  }
  Upload upload = send_output(result.task_id, lease->as_int(), std::nullopt, *output, true);
  output->drop_front(upload.sent);
  json::Writer rest;
  rest.begin_object();
  for (const json::Member& member : body->as_object()) {
    if (member.key == "output" || member.key == "stderr_ranges") continue;
    rest.key(member.key).raw(json::serialize(member.value));
  }
  api::write_output(rest, "output", *output);
  rest.end_object();
  SpooledResult smaller{result.task_id, result.lease_id, rest.take()};
  if (upload.sent > 0) IA_TRY(m_spool.put(smaller));  // a retry must not send them again
  IA_TRY(upload.failed);
  return m_link.report_result(result.task_id, smaller.body);
}

void Agent::heartbeat(std::int64_t now) {
  api::Heartbeat beat;
  beat.capacity = m_options.capacity;
  beat.labels = m_options.labels;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    beat.idle = m_accepting;
    for (const auto& [id, running] : m_runs) {
      beat.leases.push_back({id, running.run->lease().lease_id});
    }
    beat.load = static_cast<double>(m_runs.size());
  }
  // A result waiting in the spool still holds its lease: unnamed, the lease of a task
  // that ended while the scheduler was down would expire, and the task run again.
  if (Result<std::vector<api::LeaseRef>> spooled = m_spool.leases(); spooled) {
    beat.leases.insert(beat.leases.end(), spooled->begin(), spooled->end());
  }
  Result<HeartbeatAnswer> answer = m_link.heartbeat(beat);
  m_next_heartbeat_ms = now + m_options.heartbeat_interval.count();
  if (!answer) {
    ErrorCode code = answer.error().code;
    if (code == ErrorCode::unauthorized || code == ErrorCode::forbidden) {
      // Once may be a token made a moment ago (ia-sched rereads its tokens every
      // second); again and again is a wrong one, and retrying it is futile. Results
      // stay in the spool for an agent started with a good one.
      m_log.error("the scheduler refused this node's token: " + answer.error().describe());
      m_refused = ++m_refusals >= k_refusals_to_stop;
      return;
    }
    if (m_reachable) m_log.warning("heartbeat failed: " + answer.error().describe());
    m_reachable = false;
    return;
  }
  if (!m_reachable) m_log.info("scheduler reachable again");
  m_reachable = true;
  m_refusals = 0;
  cancel(answer->cancel);
}

void Agent::cancel(const std::vector<api::LeaseRef>& leases) {
  std::lock_guard<std::mutex> lock(m_mutex);
  for (const api::LeaseRef& lease : leases) {
    auto it = m_runs.find(lease.task_id);
    if (it == m_runs.end() || it->second.run->lease().lease_id != lease.lease_id) continue;
    // Ended here (SIGTERM, SIGKILL after its grace), reported like any finished task: the
    // scheduler records it as cancelled.
    if (Status killed = it->second.run->terminate(); !killed) {
      m_log.warning("cancelling task " + std::to_string(lease.task_id) + ": " +
                    killed.error().describe());
    } else {
      m_log.info("task " + std::to_string(lease.task_id) + " cancelled by the scheduler");
    }
  }
}

void Agent::vacate_all() {
  std::map<std::int64_t, Running> runs;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    runs.swap(m_runs);
  }
  for (auto& [id, running] : runs) {
    m_log.info("task " + std::to_string(id) + " vacated: the node is stopping");
    finish(id, std::move(running), true);
  }
}

api::Resources Agent::free_resources() const {
  api::Resources free = m_options.capacity;
  for (const auto& [id, running] : m_runs) {
    const api::Resources& used = running.run->lease().spec.resources;
    free.cpu -= used.cpu;
    free.memory_mib -= used.memory_mib;
  }
  free.gpu = static_cast<std::int64_t>(free_gpus().size());
  if (free.cpu < 0) free.cpu = 0;
  if (free.memory_mib < 0) free.memory_mib = 0;
  return free;
}

std::vector<int> Agent::free_gpus() const {
  std::set<int> taken = m_busy_gpus;
  for (const auto& [id, running] : m_runs) {
    taken.insert(running.run->lease().gpus.begin(), running.run->lease().gpus.end());
  }
  std::vector<int> free;
  for (int gpu = 0; gpu < m_options.capacity.gpu; ++gpu) {
    if (!taken.count(gpu)) free.push_back(gpu);
  }
  return free;
}

void Agent::lease_loop() {
  while (!m_stopping) {
    {
      std::unique_lock<std::mutex> lock(m_mutex);
      m_wake.wait_for(lock, m_options.check_interval, [&] {
        return m_stopping || (m_accepting && used_slots() < m_options.slots);
      });
      if (m_stopping || !m_accepting || used_slots() >= m_options.slots) {
        continue;
      }
    }
    if (!lease_once()) {
      std::unique_lock<std::mutex> lock(m_mutex);
      m_wake.wait_for(lock, m_lease_backoff.next(), [&] { return m_stopping.load(); });
    }
  }
}

bool Agent::lease_once() {
  api::Resources free;
  Millis wait;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    free = free_resources();
    wait = m_options.once ? std::min(m_options.poll_wait, Millis(2000)) : m_options.poll_wait;
  }
  Result<std::optional<Lease>> got = m_link.lease(free, wait);
  if (!got) {
    if (got.error().code == ErrorCode::unavailable) m_reachable = false;
    m_log.debug("lease request failed: " + got.error().describe());
    return false;
  }
  m_reachable = true;
  m_lease_backoff.reset();
  if (!*got) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_no_work = !m_stopping && !m_draining;
    return true;
  }
  Lease lease = std::move(**got);
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_no_work = false;
    std::vector<int> gpus = free_gpus();
    std::size_t wanted = static_cast<std::size_t>(std::max<std::int64_t>(lease.spec.resources.gpu, 0));
    gpus.resize(std::min(wanted, gpus.size()));
    lease.gpus = gpus;
  }
  std::int64_t task_id = lease.task_id;
  m_log.info("task " + std::to_string(task_id) + " leased (lease " +
             std::to_string(lease.lease_id) + ")");
  // A task's end wakes the loop at once, so its result and the next lease do not wait
  // for the next check.
  Result<std::unique_ptr<TaskRun>> started = TaskRun::start(lease, m_options.sandbox_base, [this] {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_run_ended = true;
    }
    m_wake.notify_all();
  });
  if (!started) {
    m_log.error("task " + std::to_string(task_id) + " could not start: " +
                started.error().describe());
    std::string body = result_body(lease.lease_id, started.error(), false, {});
    if (!m_spool.put({task_id, std::to_string(lease.lease_id), body})) {
      (void)m_link.report_result(task_id, body);
    }
    m_next_delivery_ms = 0;
    return true;
  }
  std::lock_guard<std::mutex> lock(m_mutex);
  std::int64_t offset = lease.output_offset;
  m_runs.emplace(task_id, Running{std::move(started).value(), {}, offset});
  return true;
}

void Agent::write_status() const {
  json::Writer out;
  out.begin_object();
  out.field("node_id", m_options.node_id).field("pid", static_cast<long long>(::getpid()));
  out.field("state", m_state).field("updated", format_iso8601(unix_now_ms()));
  out.field("scheduler_reachable", m_reachable).field("machine_idle", m_machine_idle);
  out.field("busy_reason", m_probe.busy_reason());
  out.field("slots", m_options.slots);
  out.key("running").begin_array();
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const auto& [id, running] : m_runs) {
      out.begin_object().field("task_id", static_cast<long long>(id));
      out.field("lease_id", static_cast<long long>(running.run->lease().lease_id));
      out.field("frozen", m_owner.is_frozen(id));
      out.key("gpus").begin_array();
      for (int gpu : running.run->lease().gpus) out.integer(gpu);
      out.end_array().end_object();
    }
  }
  out.end_array();
  Result<std::vector<SpooledResult>> spooled = m_spool.list();
  out.field("spooled_results", static_cast<long long>(spooled ? spooled->size() : 0));
  out.end_object();
  std::string text = out.take() + "\n";
  if (Status written = replace_file(m_options.state_dir + "/status.json", text, 0644);
      !written) {
    m_log.debug("status file: " + written.error().describe());
  }
}

}  // namespace ia::node
