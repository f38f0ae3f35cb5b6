// The scheduler service: the in-memory Scheduler under one mutex, the store that makes
// every change durable before its answer, and the parked long-poll replies (lease, task
// wait, output) that are answered the moment their change commits. Thread safe.
//
// When a write fails (DESIGN.md §7) the store is down: the failed change and every one
// queued after it are answered 503 and never acted on, every later request is answered
// 503 at once, and a watcher thread probes the store with backoff. Once it answers, the
// in-memory state is thrown away and reread from the store, so memory again holds
// exactly what was saved.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "api/task.hpp"
#include "server/auth.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "http/message.hpp"
#include "http/server.hpp"
#include "server/metrics.hpp"
#include "server/rate_limit.hpp"
#include "server/token_slots.hpp"
#include "sched/scheduler.hpp"
#include "store/store.hpp"

namespace ia::server {

// A client token reads and cancels only its own tasks; other roles reach every task.
bool owns(const Principal& who, const api::Task& task);
// owns, or a 403 that names the task.
Status check_owns(const Principal& who, const api::Task& task);
// The owner a task list is limited to: the client's own name, or empty for all.
std::string_view owner_filter(const Principal& who);

struct ServiceOptions {
  sched::Settings settings;
  api::SubmitLimits limits;
  std::int64_t max_wait_s = 3600;
  bool insecure = false;
  bool legacy_open = false;
  std::int64_t rate_limit = 0;  // requests per second per token; 0: off
  std::int64_t max_waits_per_token = 1000;  // parked task and output long-polls
  std::int64_t max_streams_per_token = 16;  // /v1/events streams
};

class Service {
 public:
  Service(std::unique_ptr<store::Store> store, ServiceOptions options, Logger& log);
  ~Service();

  // Loads the store into memory.
  Status start();
  // Starts the periodic expiry tick on server's threads.
  void attach(http::Server& server);
  void handle(http::Request&& request, http::Reply reply);
  // Answers every parked long-poll and turns new ones away (shutdown); the store stays
  // open for requests still in flight.
  void shutdown();
  void reload(ServiceOptions options);
  store::Store& store() { return *m_store; }

  // Routes (routes.cpp, legacy.cpp) use these.
  struct Call;
  // Answers 503 when the store is down (public routes excepted); true when it did.
  bool refuse_while_down(Call& call);
  void route(Call& call);
  void route_v1(Call& call);
  bool route_legacy(Call& call);
  void submit(Call& call, api::TaskSpec spec, bool legacy);
  void get_task(Call& call, std::int64_t id);
  void list_tasks(Call& call);
  void wait_task(Call& call, std::int64_t id);
  void cancel_task(Call& call, std::int64_t id, bool legacy);
  void read_output(Call& call, std::int64_t id);
  void append_output(Call& call, std::int64_t id);
  void heartbeat(Call& call, const std::string& node_id);
  void lease(Call& call, const std::string& node_id);
  void result(Call& call, std::int64_t id);
  void list_nodes(Call& call);
  void get_node(Call& call, const std::string& node_id);
  void stats(Call& call);
  void stats_top(Call& call);
  void stats_queue(Call& call);
  void health(Call& call);
  void metrics(Call& call);
  void events(Call& call);
  void legacy_get_task(Call& call);
  void legacy_submit_result(Call& call);
  void legacy_status(Call& call, std::int64_t id);
  void legacy_results(Call& call);
  void legacy_register(Call& call);
  void legacy_heartbeat(Call& call, const std::string& node_id);
  void legacy_nodes(Call& call);
  void legacy_stats(Call& call);

 private:
  struct Parked {
    std::uint64_t serial = 0;
    http::Reply reply;
    std::int64_t offset = 0;  // output waiters: bytes already seen
    bool legacy = false;
    std::shared_ptr<http::Connection> connection;  // lease waiters: to take a grant back
  };
  using Respond = std::function<void(const Status&)>;
  // A parked reply to answer once its change is saved (with the saved state) or has
  // failed (503).
  using Wakeup = std::function<void(const Status& saved)>;

  std::int64_t now() const;
  // Dispatches queued tasks to waiting nodes, writes the changes and, once durable,
  // runs respond and answers every parked reply the changes concern. Holds m_mutex.
  void commit(sched::Changes& changes, Respond respond);
  void answer_grant(const sched::Grant& grant, std::vector<Wakeup>& out);
  void collect_wakeups(const sched::Changes& changes, std::vector<Wakeup>& out);
  void tick();
  // Store outages (service_store.cpp). A write or read found the store failing: from now
  // on nothing is answered from memory. Any thread; never takes m_mutex.
  void store_failed(const Error& error, bool write);
  // A write with changes was saved: the end of an outage, when one is open.
  void store_wrote();
  // Rereads the store into memory and lets writes through again.
  Status recover();
  // The watcher thread: rereads tokens (and so finds a lost session) every quarter
  // second; through an outage, tries recover() with growing pauses.
  void watch();
  void stop_watcher();
  void answer_parked_unavailable();
  std::uint64_t park(std::multimap<std::int64_t, Parked>& parked, std::int64_t key,
                     Parked entry);
  void expire_parked(std::multimap<std::int64_t, Parked>& parked, std::int64_t key,
                     std::uint64_t serial, http::Response response);
  Status authorize(Call& call);
  // Whether who may speak for the node (ownership.cpp): an admin always; a node token
  // when the node is new, unclaimed, its own, or claimed by a token since revoked.
  // Holds m_mutex.
  Status speaks_for(const Principal& who, const std::string& node_id) const;
  // The same for the node that holds (or last held) a task's lease.
  Status speaks_for_task(const Principal& who, std::int64_t task_id) const;
  // After speaks_for passed: a node token becomes the one that speaks for the node.
  void claim(const Principal& who, const std::string& node_id, sched::Changes& changes);
  // Sends an answer read from the in-memory state once every change queued so far is
  // durable, so no read shows a task, result or output that a crash could still lose.
  // Holds m_mutex.
  void reply_durable(const http::Reply& reply, http::Response response);
  void send_read(Call& call, std::string body);
  // A parked lease request whose peer left: the node no longer waits.
  void forget_waiter(const std::string& node_id, std::uint64_t serial);
  // A granted lease whose answer never reached its node: back to the queue, no penalty.
  void give_back(std::int64_t task_id, std::int64_t lease_id);
  void guard_grant(const std::shared_ptr<http::Connection>& connection,
                   const api::Task& task);
  // Before a task or output long-poll parks: a slot of the caller's token, held by the
  // parked reply, or a 429 past max_waits_per_token (false). Holds m_mutex.
  bool hold_wait_slot(Call& call);

  struct LoggedEvent {
    std::int64_t id = 0;
    bool of_task = false;  // else a node event, which every client sees
    std::string owner;     // the task's owner
    std::string text;   // as sent
  };
  struct Subscriber {
    std::shared_ptr<http::Stream> stream;  // null until the header is out
    std::string pending;                   // events published before that
    bool dropped = false;                  // pending grew past its bound: end the stream
    std::string owner;                     // a client's own name: it sees its tasks only
    TokenSlots::Slot slot;                 // one of its token's max_streams_per_token
    bool sees(const LoggedEvent& event) const {
      return owner.empty() || !event.of_task || event.owner == owner;
    }
  };
  // Appends committed events to the log and sends them to every subscriber.
  void publish(const std::vector<sched::Event>& events);

  std::mutex m_events_mutex;  // guards the event log and subscribers
  std::deque<LoggedEvent> m_event_log;
  // Starts at the start time in microseconds, not 1: the log is not stored, and a
  // client resuming with a Last-Event-ID from before a restart must not skip the new
  // events (it would, were their ids lower).
  std::int64_t m_next_event = unix_now_ms() * 1000;
  std::vector<std::shared_ptr<Subscriber>> m_subscribers;
  TokenSlots m_stream_slots;
  TokenSlots m_wait_slots;

  mutable std::mutex m_mutex;  // guards everything below
  std::unique_ptr<store::Store> m_store;
  ServiceOptions m_options;
  Logger& m_log;
  sched::Scheduler m_sched;
  TokenTable m_tokens;
  Metrics m_metrics;
  RateLimiter m_rate;
  http::Server* m_server = nullptr;
  std::map<std::string, Parked, std::less<>> m_lease_waiters;
  std::multimap<std::int64_t, Parked> m_task_waiters;
  std::multimap<std::int64_t, Parked> m_output_waiters;
  std::uint64_t m_serial = 0;
  std::uint64_t m_writes_queued = 0;              // store writes with changes, in order
  std::atomic<std::uint64_t> m_writes_durable{0};  // the last of them settled (durable or failed)
  bool m_stopped = false;

  std::atomic<bool> m_store_down{false};
  std::atomic<std::uint64_t> m_failed_writes{0};
  std::atomic<std::uint64_t> m_outages{0};
  std::atomic<std::uint64_t> m_rereads{0};
  std::atomic<bool> m_outage_open{false};  // from the first failure to the first write after
  std::mutex m_outage_mutex;               // guards the record of the open outage
  std::int64_t m_outage_started_ms = 0;
  std::uint64_t m_outage_failed_writes = 0;
  std::uint64_t m_outage_rereads = 0;
  std::string m_outage_cause;

  std::mutex m_watch_mutex;  // guards m_watch_stop
  std::condition_variable m_watch_wake;
  bool m_watch_stop = false;
  std::thread m_watcher;
};

}  // namespace ia::server

namespace ia::server {

// One request being answered.
struct Service::Call {
  http::Request request;
  http::Reply reply;
  Principal principal;
  std::vector<std::string> segments;  // path split on '/'
  bool legacy = false;

  void send(int status, std::string body);
  void fail(const Error& error);
  bool allow(std::initializer_list<Role> roles);  // answers 403 when not allowed
};

}  // namespace ia::server
