#include "submit_cmd.hpp"

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "cli/terminal.hpp"
#include "client/ending.hpp"
#include "client/follow.hpp"
#include "client/node_fit.hpp"
#include "sched/unmatched.hpp"
#include "json/writer.hpp"

namespace ia::submit_tool {
namespace {

void draw_progress(std::size_t done, std::size_t total) {
  constexpr int k_width = 30;
  int filled = static_cast<int>(k_width * done / total);
  std::fprintf(stderr, "\r[%s%s] %zu/%zu submitted", std::string(filled, '#').c_str(),
               std::string(k_width - filled, ' ').c_str(), done, total);
  if (done == total) std::fputc('\n', stderr);
  std::fflush(stderr);
}

// One submitted task's line. With --wait, stdout carries only the task's own output, so the
// line goes to stderr, and -q drops it.
// The line shows the requests the task runs under, defaults included, so that nobody
// learns them from a kill.
void announce(std::int64_t id, const api::TaskSpec& spec, std::size_t total,
              const Output& output) {
  if (output.wait && output.quiet) return;
  std::FILE* out = output.wait ? stderr : stdout;
  if (output.parsable || output.quiet || total > 1) {
    std::fprintf(out, "%lld\n", static_cast<long long>(id));
  } else {
    std::fprintf(out, "submitted task %lld (%s)\n", static_cast<long long>(id),
                 client::requests_summary(spec).c_str());
  }
}

// Ctrl-C while following: a thread takes SIGINT, sets the flag and wakes the long poll.
class InterruptWatch {
 public:
  explicit InterruptWatch(client::Scheduler& scheduler) {
    sigemptyset(&m_set);
    sigaddset(&m_set, SIGINT);
    sigaddset(&m_set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &m_set, nullptr);
    m_thread = std::thread([this, &scheduler] {
      int signal = 0;
      if (sigwait(&m_set, &signal) == 0 && !m_done) {
        m_interrupted = true;
        scheduler.interrupt();
      }
    });
  }
  ~InterruptWatch() {
    m_done = true;
    pthread_kill(m_thread.native_handle(), SIGTERM);
    m_thread.join();
  }
  const std::atomic<bool>& flag() const { return m_interrupted; }

 private:
  sigset_t m_set;
  std::atomic<bool> m_interrupted{false};
  std::atomic<bool> m_done{false};
  std::thread m_thread;
};

Result<int> wait_for(client::Scheduler& scheduler, std::int64_t id, const Output& output) {
  InterruptWatch watch(scheduler);
  client::FollowOptions options;
  options.status_line = !output.quiet && !output.json && cli::is_terminal(2);
  options.output = output.json ? stderr : stdout;
  options.stop = &watch.flag();
  Result<json::Value> task = client::follow(scheduler, id, options);
  if (watch.flag()) {
    if (output.cancel_on_interrupt) {
      scheduler.resume();
      Result<json::Value> cancelled = scheduler.cancel(id);
      if (!cancelled) return std::move(cancelled).error();
      std::fprintf(stderr, "ia-submit: interrupted; cancelled task %lld\n",
                   static_cast<long long>(id));
      return 130;
    }
    std::fprintf(stderr,
                 "ia-submit: detached; task %lld goes on. Follow it again with: "
                 "ia-status logs --follow %lld\n",
                 static_cast<long long>(id), static_cast<long long>(id));
    return 130;
  }
  if (!task) return std::move(task).error();
  if (output.json) std::printf("%s\n", json::serialize(*task).c_str());
  if (!output.quiet) std::fputs(client::ending_note("ia-submit", *task).c_str(), stderr);
  return client::exit_code_of(*task);
}

// A task no node could ever take waits forever: said before it is sent, refused with
// --strict. Every spec of an array or --each asks for the same, so the first stands.
Status check_some_node_fits(client::Scheduler& scheduler, const api::TaskSpec& spec,
                            const Output& output) {
  std::string why = client::unmatched_reason(scheduler, spec);
  if (why.empty()) return {};
  if (output.strict) {
    return make_error(ErrorCode::conflict, "no registered node could ever run this task: " + why,
                      "ask for less, or submit without --strict to wait for such a node");
  }
  // A pool with no node yet is a pool being set up: nothing is known to warn about.
  if (!output.quiet && why != sched::k_no_nodes_yet) {
    std::fprintf(stderr,
                 "ia-submit: warning: no registered node could ever run this task: %s; it waits "
                 "until one registers (--strict refuses such tasks)\n",
                 why.c_str());
  }
  return {};
}

// Many tasks at once are easy to ask for by mistake (1-100000 for 1-1000): a person at a
// terminal confirms; a script (no terminal, or --yes) is not asked.
Status confirm_many(std::size_t count, const Output& output) {
  if (output.yes || static_cast<std::int64_t>(count) <= output.confirm_above ||
      !cli::is_terminal(0) || !cli::is_terminal(2)) {
    return {};
  }
  std::fprintf(stderr, "ia-submit: submit %zu tasks? [y/N] ", count);
  std::fflush(stderr);
  char answer[16] = {};
  if (std::fgets(answer, sizeof answer, stdin) && (answer[0] == 'y' || answer[0] == 'Y')) {
    return {};
  }
  return make_error(ErrorCode::invalid_argument, "nothing submitted",
                    "answer y to submit them, or pass --yes ([client] confirm_above sets when "
                    "ia-submit asks)");
}

}  // namespace

Result<int> submit_all(client::Scheduler& scheduler, const std::vector<api::TaskSpec>& specs,
                       const Output& output) {
  IA_TRY(confirm_many(specs.size(), output));
  if (!specs.empty()) IA_TRY(check_some_node_fits(scheduler, specs.front(), output));
  bool progress = specs.size() > 1 && !output.quiet && !output.json && !output.parsable &&
                  cli::is_terminal(2);
  std::int64_t first_id = 0, last_id = 0;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    Result<json::Value> answer = scheduler.submit(client::submit_body(specs[i]));
    if (!answer) {
      if (progress) std::fputc('\n', stderr);
      Error error = std::move(answer).error();
      if (i > 0) error.message += " (after " + std::to_string(i) + " tasks were submitted)";
      return error;
    }
    const json::Value* id = answer->find("task_id");
    if (!id || !id->is_int()) return make_error(ErrorCode::internal, "the scheduler sent no task_id");
    last_id = id->as_int();
    if (i == 0) first_id = last_id;
    if (output.json) {
      std::printf("%s\n", json::serialize(*answer).c_str());
    } else if (progress) {
      draw_progress(i + 1, specs.size());
    } else {
      announce(last_id, specs[i], specs.size(), output);
    }
  }
  if (progress) {
    std::fprintf(output.wait ? stderr : stdout, "submitted %zu tasks, ids %lld to %lld\n",
                 specs.size(), static_cast<long long>(first_id), static_cast<long long>(last_id));
  }
  std::fflush(stdout);
  if (!output.wait) return 0;
  return wait_for(scheduler, last_id, output);
}

}  // namespace ia::submit_tool
