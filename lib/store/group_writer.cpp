#include "store/group_writer.hpp"

namespace ia::store {
namespace {

Error refused_after(const Error& failure) {
  return make_error(ErrorCode::unavailable,
                    "not written: an earlier write failed (" + failure.message + ")",
                    "the change was not saved; retry once the store is back");
}

}  // namespace

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

void GroupWriter::fail(const Error& why) {
  std::lock_guard lock(m_mutex);
  if (!m_failure) m_failure = why;
}

void GroupWriter::resume() {
  std::unique_lock lock(m_mutex);
  m_settled.wait(lock, [this] { return m_stopping || (m_queue.empty() && !m_busy); });
  m_failure.reset();
}

void GroupWriter::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    m_wake.notify_one();
    m_settled.notify_all();
  }
  if (m_thread.joinable()) m_thread.join();
}

void GroupWriter::loop() {
  for (;;) {
    std::deque<PendingWrite> group;
    std::optional<Error> failure;
    {
      std::unique_lock lock(m_mutex);
      m_busy = false;
      m_settled.notify_all();
      m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
      if (m_queue.empty()) return;
      group.swap(m_queue);
      m_busy = true;
      failure = m_failure;
    }
    Status status = failure ? Status(refused_after(*failure)) : m_commit(group);
    if (!status && !failure) {
      std::lock_guard lock(m_mutex);
      m_failure = status.error();
    }
    for (PendingWrite& pending : group) {
      if (pending.done) pending.done(status);
    }
  }
}

}  // namespace ia::store
