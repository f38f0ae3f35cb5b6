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
};

Result<int> submit_all(client::Scheduler& scheduler, const std::vector<api::TaskSpec>& specs,
                       const Output& output);

}  // namespace ia::submit_tool
