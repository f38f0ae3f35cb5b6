#include "store/group_writer.hpp"

namespace ia::store {

void GroupWriter::start(Commit commit) {
  m_commit = std::move(commit);
  m_thread = std::thread([this] { loop(); });
}

void GroupWriter::write(Batch batch, WriteDone done) {
  {
    std::lock_guard lock(m_mutex);
    if (!m_stopping) {
      m_queue.push_back(PendingWrite{std::move(batch), std::move(done)});
      m_wake.notify_one();
      return;
    }
  }
  done(make_error(ErrorCode::unavailable, "store is closed", "ia-sched is shutting down"));
}

void GroupWriter::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    m_wake.notify_one();
  }
  if (m_thread.joinable()) m_thread.join();
}

void GroupWriter::loop() {
  for (;;) {
    std::deque<PendingWrite> group;
    {
      std::unique_lock lock(m_mutex);
      m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
      if (m_queue.empty()) return;
      group.swap(m_queue);
    }
    Status status = m_commit(group);
    for (PendingWrite& pending : group) {
      if (pending.done) pending.done(status);
    }
  }
}

}  // namespace ia::store
