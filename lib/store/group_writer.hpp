// The writer thread every store backend shares. Batches queued by write() are committed
// in groups: every batch waiting when a commit starts shares that transaction, so many
// requests cost one fsync. Each done runs once its group's commit returned (durable or
// failed), in queue order. Thread safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
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
  // Commits what is queued, then ends the thread; later writes fail.
  void stop();

 private:
  void loop();

  Commit m_commit;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<PendingWrite> m_queue;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace ia::store
