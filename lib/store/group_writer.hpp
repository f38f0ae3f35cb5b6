// The writer thread every store backend shares. Batches queued by write() are committed
// in groups: every batch waiting when a commit starts shares that transaction, so many
// requests cost one fsync. Each done runs once its group's commit returned (durable or
// failed), in queue order. After a failed commit every later batch fails too, without
// reaching the store, until resume(): each was built on changes that were never saved,
// so writing it would save half of a history (DESIGN.md §7). Thread safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "store/store.hpp"

namespace ia::store {

struct PendingWrite {
  Batch batch;
  WriteDone done;
};

class GroupWriter {
 public:
  // Writes one group in one transaction; called on the writer thread.
  using Commit = std::function<Status(const std::deque<PendingWrite>& group)>;

  GroupWriter() = default;
  GroupWriter(const GroupWriter&) = delete;
  GroupWriter& operator=(const GroupWriter&) = delete;
  ~GroupWriter() { stop(); }

  void start(Commit commit);
  // Queues the batch; after stop, done runs at once with an unavailable error.
  void write(Batch batch, WriteDone done);
  // Refuses writes from now on, as after a failed commit (the store found its
  // connection lost between writes).
  void fail(const Error& why);
  // Waits until every batch queued so far has settled, then lets writes reach the store
  // again after a failure.
  void resume();
  // Commits what is queued, then ends the thread; later writes fail.
  void stop();

 private:
  void loop();

  Commit m_commit;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::condition_variable m_settled;
  std::deque<PendingWrite> m_queue;
  bool m_busy = false;              // a group is being written or answered
  std::optional<Error> m_failure;   // the failed commit later batches are refused for
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace ia::store
