// The scheduler service: the in-memory Scheduler under one mutex, the store that makes
// every change durable before its answer, and the parked long-poll replies (lease, task
// wait, output) that are answered the moment their change commits. Thread safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "api/task.hpp"
#include "server/auth.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "http/message.hpp"
#include "http/server.hpp"
#include "server/metrics.hpp"
#include "server/rate_limit.hpp"
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

  std::int64_t now() const;
  // Dispatches queued tasks to waiting nodes, writes the changes and, once durable,
  // runs respond and answers every parked reply the changes concern. Holds m_mutex.
  void commit(sched::Changes& changes, Respond respond);
  void answer_grant(const sched::Grant& grant, std::vector<std::function<void()>>& out);
  void collect_wakeups(const sched::Changes& changes, std::vector<std::function<void()>>& out);
  void tick();
  std::uint64_t park(std::multimap<std::int64_t, Parked>& parked, std::int64_t key,
                     Parked entry);
  void expire_parked(std::multimap<std::int64_t, Parked>& parked, std::int64_t key,
                     std::uint64_t serial, http::Response response);
  Status authorize(Call& call);
  bool reread_tokens(std::atomic<std::int64_t>& last, std::int64_t min_gap_ms);  // token_reread.cpp
  Result<Principal> check_token(std::string_view token);
  void cancel_matching(Call& call);  // cancel_filter.cpp
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

  struct LoggedEvent {
    std::int64_t id = 0;
    bool of_task = false;  // else a node event, which every client sees
    std::string owner;     // the task's owner
    std::string text;   // as sent
  };
  struct Subscriber {
    std::shared_ptr<http::Stream> stream;  // null until the header is out
    std::string pending;                   // events published before that
    std::string owner;                     // a client's own name: it sees its tasks only
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
  std::atomic<std::int64_t> m_last_token_reload{0};  // the tick's; claimed by reread_tokens
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
  std::vector<std::string> segments;  // path split on '/'
  bool legacy = false;

  void send(int status, std::string body);
  void fail(const Error& error);
  bool allow(std::initializer_list<Role> roles);  // answers 403 when not allowed
};

}  // namespace ia::server
