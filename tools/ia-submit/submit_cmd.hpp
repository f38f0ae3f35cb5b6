// ia-submit's work after flag parsing: submit every task, then follow one with --wait.
#pragma once

#include "client/scheduler.hpp"
#include "client/submission.hpp"

namespace ia::submit_tool {

struct Output {
  bool json = false;
  bool parsable = false;
  bool quiet = false;
  bool wait = false;
  bool cancel_on_interrupt = false;
  bool strict = false;  // refuse a task no registered node could ever run
  bool yes = false;     // no question before many tasks
  std::int64_t confirm_above = 10000;
};

Result<int> submit_all(client::Scheduler& scheduler, const std::vector<api::TaskSpec>& specs,
                       const Output& output);

}  // namespace ia::submit_tool
