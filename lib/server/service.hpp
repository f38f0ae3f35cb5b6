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
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/node.hpp"
#include "api/task.hpp"
#include "server/auth.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "http/message.hpp"
#include "http/server.hpp"
#include "server/metrics.hpp"
#include "server/networks.hpp"
#include "server/rate_limit.hpp"
#include "server/token_slots.hpp"
#include "sched/scheduler.hpp"
#include "store/store.hpp"

namespace ia::server {

struct Route;      // routes.hpp
struct NodeShown;  // views.hpp

// Whether who may read and cancel the task: an admin any, a client token the tasks it
// submitted, a tokenless caller the tasks submitted without a token.
bool owns(const Principal& who, const api::Task& task);
// owns, or the same 404 a missing task gets, so a task's existence is not told.
Status check_owns(const Principal& who, const api::Task& task);
// The owner a task list is limited to, or empty for all (an admin).
std::string_view owner_filter(const Principal& who);

struct ServiceOptions {
  sched::Settings settings;
  api::SubmitLimits limits;
  std::int64_t max_wait_s = 3600;
  bool insecure = false;
  bool legacy_open = false;
  std::vector<Network> legacy_networks = loopback_networks();  // where legacy_open applies
  std::int64_t rate_limit = 0;       // requests per second per token; 0: off
  std::int64_t open_rate_limit = 0;  // per address, on routes that need no token; 0: off
  std::int64_t max_nodes_per_token = 0;  // node ids one node token may hold; 0: no cap
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

  struct Call;
  // Answers 503 when the store is down (public routes excepted); true when it did.
  bool refuse_while_down(Call& call);
  // What the answers look like: /v1's views (views.hpp) or the prototype's (legacy.cpp).
  using TaskView = std::string (*)(const api::Task& task);
  using SubmitView = http::Response (*)(std::int64_t task_id);
  using ListView = std::string (*)(const std::vector<const api::Task*>& tasks,
                                   std::optional<std::int64_t> next_after);
  using BeatView = std::string (*)(std::string_view node_id,
                                   const std::vector<api::LeaseRef>& cancel,
                                   const sched::Settings& settings);
  using LeaseView = http::Response (*)(std::string_view node_id, const api::Task* task,
                                       const sched::Settings& settings);
  using NodesView = std::string (*)(const std::vector<NodeShown>& nodes);
  using StatsView = std::string (*)(const sched::Stats& stats);

  struct TaskQuery {
    std::optional<api::TaskState> state;
    bool finished_only = false;
    std::int64_t after = 0;
    std::int64_t limit = 100;
  };
  // A heartbeat that says everything (/v1, the prototype's register), or the
  // prototype's: only load and idle, for a registered node, keeping its leases.
  enum class Beat { full, liveness };
  struct LeaseAsk {
    api::LeaseRequest request;
    std::int64_t wait_s = 0;
    // The prototype's agents lease without registering: heartbeat the node with this
    // first when it is unknown or offline.
    std::optional<api::Heartbeat> register_first;
  };
  struct Finish {
    api::ResultReport report;  // lease_id 0: the lease the task's node holds now
    std::string node_id;       // the node the caller says it speaks for; empty: none said
  };

  // The service calls, one per operation, shared by the /v1 routes and the legacy
  // adapter (routes.cpp, legacy.cpp); each checks ownership and answers through call.
  void submit(Call& call, api::TaskSpec spec, SubmitView view);
  void get_task(Call& call, TaskView view);
  void list_tasks(Call& call, const TaskQuery& query, ListView view);
  void wait_task(Call& call);
  void cancel_task(Call& call, TaskView view);
  // DELETE /v1/tasks?status=&name=: the caller's unfinished tasks that match (cancel_filter.cpp).
  void cancel_matching(Call& call);
  void read_output(Call& call);
  void append_output(Call& call);
  void heartbeat(Call& call, api::Heartbeat beat, Beat kind, BeatView view);
  void lease(Call& call, LeaseAsk ask, LeaseView view);
  void finish(Call& call, Finish finish, TaskView view);
  void list_nodes(Call& call, NodesView view);
  void get_node(Call& call);
  void stats(Call& call, StatsView view);
  void stats_top(Call& call);
  void stats_queue(Call& call);
  void health(Call& call);
  void metrics(Call& call);
  void events(Call& call);
  // An admin moves a node to another node token (or to none): PUT /v1/nodes/{id}/owner.
  void reassign(Call& call, std::string token_name);

 private:
  struct Parked {
    std::uint64_t serial = 0;
    http::Reply reply;
    std::int64_t offset = 0;  // output waiters: bytes already seen
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
  // Who is calling and whether the route lets them (routes.cpp). Fills call.principal
  // and call.options.
  Status authorize(Call& call, const Route& route);
  bool reread_tokens(std::atomic<std::int64_t>& last, std::int64_t min_gap_ms);  // token_reread.cpp
  Result<Principal> check_token(std::string_view token);
  // Whether who may speak for the node (ownership.cpp): an admin always; a node token
  // for a new node (within its cap) or one it registered; a tokenless caller for a new
  // node or one that no token registered. Holds m_mutex.
  Status speaks_for(const Call& call, const std::string& node_id) const;
  // A new node within [sched] max_nodes_per_token of the caller's. Holds m_mutex.
  Status within_node_cap(const Call& call) const;
  // Whether the caller speaks for the node that holds call.task_id's lease (and that
  // node is claimed_node, when one is named). Holds m_mutex.
  Status speaks_for_holder(const Call& call, const std::string& claimed_node = {}) const;
  // After speaks_for passed: a fresh node is recorded as its registrant's.
  void claim(const Principal& who, const std::string& node_id, bool fresh,
             sched::Changes& changes);
  // The node as who may see it (views.hpp). Holds m_mutex.
  NodeShown show(const Principal& who, const sched::Node& node) const;
  // Tokens revoked (or deleted) since the last reload: their nodes' leases go back to
  // the queue, so nobody else finishes them. Holds m_mutex.
  void drop_leases_of(const std::vector<std::string>& token_names);
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
  // Replaced whole by reload; a request keeps the one it started with (Call::options).
  std::shared_ptr<const ServiceOptions> m_options;
  Logger& m_log;
  sched::Scheduler m_sched;
  TokenTable m_tokens;
  Metrics m_metrics;
  RateLimiter m_rate;       // per token (and per address for tokenless callers)
  RateLimiter m_open_rate;  // per address, on routes that need no token
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
  std::atomic<std::int64_t> m_last_unknown_token_reread{0};  // a request's unknown token
  std::mutex m_token_reread;
};

}  // namespace ia::server

namespace ia::server {

// One request being answered.
struct Service::Call {
  http::Request request;
  http::Reply reply;
  Principal principal;
  std::shared_ptr<const ServiceOptions> options;  // as they were when the request came
  std::int64_t task_id = 0;  // the route's {task}
  std::string node_id;       // the route's {node}

  void send(int status, std::string body);
  void fail(const Error& error);
};

}  // namespace ia::server
