// The durable state of ia-sched behind one interface (DESIGN.md §7): SQLite or
// PostgreSQL. The scheduler keeps its working state in memory and writes every
// change here; a write's callback runs once the change is durable, and only then is the
// request that caused it answered. Implementations are thread safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/task.hpp"
#include "core/result.hpp"

namespace ia::store {

struct NodeRecord {
  std::string id;
  api::Resources capacity;
  std::vector<std::string> labels;
  std::int64_t first_seen_ms = 0;
  std::int64_t last_heartbeat_ms = 0;
  std::int64_t completed = 0;
  double compute_s = 0;
  std::int64_t last_served_ms = 0;
  // The name of the node token that registered it; only that token speaks for the node
  // while it is valid. Empty: unclaimed (registered by an admin or an open route).
  std::string owner;
};

struct TokenRecord {
  std::string name;
  std::string role;   // admin, client, node
  std::string hash;   // hex SHA-256 of the token
  std::int64_t created_ms = 0;
  bool revoked = false;
};

struct OutputAppend {
  std::int64_t task_id = 0;
  std::int64_t offset = 0;
  std::string data;
  bool from_stderr = false;
};

// One group of changes that becomes durable together.
struct Batch {
  std::vector<api::Task> tasks;        // upserted whole, output excepted
  std::vector<OutputAppend> outputs;   // appended to a task's output
  std::vector<NodeRecord> nodes;       // upserted
  std::vector<TokenRecord> tokens;     // upserted by name
  bool empty() const {
    return tasks.empty() && outputs.empty() && nodes.empty() && tokens.empty();
  }
};

// Everything the store holds, read once at start.
struct Snapshot {
  std::vector<api::Task> tasks;  // with their output
  std::vector<NodeRecord> nodes;
  std::vector<TokenRecord> tokens;
};

using WriteDone = std::function<void(const Status&)>;

class Store {
 public:
  virtual ~Store() = default;

  // Reads everything. After a lost connection this is what reconnects (and retakes the
  // database's lock): nothing else does, so no write lands on a session whose owner has
  // not reread what the store holds.
  virtual Result<Snapshot> load() = 0;
  // Queues batch; done runs (on the store's thread) once it is durable or has failed.
  // Batches become durable in the order they were queued. After one fails, every later
  // one fails too, unwritten, until resume().
  virtual void write(Batch batch, WriteDone done) = 0;
  // Waits for the queued writes to settle, then writes reach the store again. The caller
  // has reloaded its state (load()) since the failure.
  virtual void resume() = 0;
  // write() and wait.
  Status write_sync(Batch batch);
  virtual Result<std::vector<TokenRecord>> tokens() = 0;
  // Finishes queued writes and closes; later writes fail.
  virtual void close() = 0;
  // "sqlite:///var/lib/ia/sched.db"; never with a password from the URL.
  virtual std::string url() const = 0;
};

// Who opens a store. One server at a time may serve a PostgreSQL database (it holds an
// advisory lock); a tool that only reads and upserts tokens (ia-sched token) works
// beside it, as the server rereads its tokens every second.
enum class Access { server, tool };

struct StoreOptions {
  Access access = Access::server;
  // The longest any one store call may take (PostgreSQL: connect, each statement, an
  // unanswered TCP send); past it the call fails and its connection is dropped.
  std::int64_t timeout_ms = 10'000;
};

// Opens the store a URL names: sqlite:///abs/path, sqlite://relative/path, or
// postgresql://... (postgres://...) as libpq reads it.
Result<std::unique_ptr<Store>> open_store(const std::string& url, StoreOptions options = {});
inline Result<std::unique_ptr<Store>> open_store(const std::string& url, Access access) {
  return open_store(url, StoreOptions{access});
}

}  // namespace ia::store
