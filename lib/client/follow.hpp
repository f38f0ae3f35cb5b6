// Following a task until it ends: its output as it comes (its stdout and stderr each to a
// stream of their own), and on a terminal a one-line status (queued, running on NODE,
// elapsed) on stderr. Used by ia-submit --wait and ia-status logs --follow.
#pragma once

#include <atomic>
#include <cstdio>
#include <functional>

#include "client/scheduler.hpp"

namespace ia::client {

// Writes each part of output to the stream it came from on the node.
void write_output(const api::TaggedOutput& output, std::FILE* out, std::FILE* err);

struct FollowOptions {
  std::FILE* output = stdout;       // where the task's stdout goes
  std::FILE* errors = stderr;       // where the task's stderr goes
  bool status_line = false;         // draw the live status line on stderr
  std::int64_t offset = 0;          // start from this byte of the output
  const std::atomic<bool>* stop = nullptr;  // set from another thread: return early
};

// The task's final JSON (or its JSON when stopped early).
Result<json::Value> follow(Scheduler& scheduler, std::int64_t id, const FollowOptions& options);

// The task's output from its start in one piece: what it has sent so far, or with
// until_finished all of it once the task has ended (for --json, which prints one object).
Result<OutputPiece> collect_output(Scheduler& scheduler, std::int64_t id, bool until_finished);

// The exit code ia-submit --wait ends with for a finished task: its own exit code; 124
// when it timed out; 1 when it failed without one or was cancelled.
int exit_code_of(const json::Value& task);

}  // namespace ia::client
