// Keeps a task's output up to a byte limit per stream and hands each kept chunk to the
// caller's callback as it arrives; the rest is counted and dropped. Not thread safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sandbox/sandbox.hpp"

namespace ia::sandbox {

// After the task's exit, how long output is still read from a process that outlived it
// (one that left the session where no PID namespace holds it); then the pipes are closed,
// so that waiting never hangs on a daemon.
inline constexpr std::int64_t k_output_after_exit_ms = 200;

class OutputSink {
 public:
  OutputSink(const Spec& spec) : m_spec(spec) {}  // NOLINT: one per task

  void add(Stream stream, std::string_view chunk);
  // Moves the kept text and truncation flags into outcome.
  void finish(Outcome& outcome);

 private:
  struct Kept {
    std::string text;
    std::uint64_t seen = 0;
    bool truncated = false;
  };
  const Spec& m_spec;
  Kept m_out, m_err;
};

}  // namespace ia::sandbox
