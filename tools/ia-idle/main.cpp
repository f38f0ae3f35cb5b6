// ia-idle: is this machine idle now? Exit 0 idle, 1 busy, 2 error.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "cli/tool.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "core/units.hpp"
#include "idle/activity.hpp"
#include "idle/detector.hpp"
#include "idle/policy.hpp"
#include "idle/report.hpp"
#include "idle/steadiness.hpp"

namespace {

using namespace ia;

constexpr int k_exit_idle = 0;
constexpr int k_exit_busy = 1;
constexpr int k_exit_error = 2;

struct Options {
  bool explain = false;
  bool wait = false;
  bool require_ac = false;
  std::optional<std::string> watch;
  std::optional<std::string> timeout;
  std::string interval = "5s";
  long long count = 0;
  std::string root;
  std::optional<std::string> only;
};

// Sleeps between looks; an input event may cut the sleep short (--watch without a period,
// --wait).
class Waker {
 public:
  void wake() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_woken = true;
    }
    m_cv.notify_all();
  }
  void sleep(Millis pause, bool wakeable) {
    std::unique_lock<std::mutex> lock(m_mutex);
    if (wakeable) {
      m_cv.wait_for(lock, pause, [&] { return m_woken; });
    } else {
      lock.unlock();
      std::this_thread::sleep_for(pause);
      lock.lock();
    }
    m_woken = false;
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_woken = false;
};

void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);  // --watch feeds pipelines: each line must leave at once
}

Result<Millis> duration_flag(const std::string& flag, const std::string& text, bool allow_zero) {
  Result<Millis> parsed = parse_duration(text);
  if (!parsed || (!allow_zero && parsed->count() <= 0)) {
    return make_error(ErrorCode::invalid_argument, flag + ": bad duration '" + text + "'",
                      "write a positive duration such as 500ms, 5s or 10m");
  }
  return parsed;
}

// What a single look leaves out, for --explain.
std::string hysteresis_line(const idle::Policy& policy, bool over_time) {
  std::string line = "  hysteresis: CPU load counts once it lasts " +
                     format_duration(policy.cpu_busy_for) + " (idle.cpu_busy_for); after busy, " +
                     format_duration(policy.resume_after) + " of idle before work resumes (idle.resume_after)";
  return line + (over_time ? "" : "; a single look applies neither");
}

std::vector<std::string> event_lines(const idle::ActivityWatch* watch) {
  std::vector<std::string> lines;
  std::vector<std::string> live;
  for (const idle::EventSource& s : watch ? watch->sources() : std::vector<idle::EventSource>{}) {
    lines.push_back(std::string(s.live ? "  live " : "  off  ") + "event source " + s.name + ": " +
                    s.detail);
    if (s.live) live.push_back(s.name);
  }
  lines.push_back(live.empty() ? "  events: no live source: watchers poll (node.check_interval)"
                               : "  events: " + join(live, ", ") +
                                     " wake watchers at once; polling is the fallback");
  return lines;
}

void report(const cli::CommonOptions& common, const Options& options, const idle::Policy& policy,
            const idle::Samples& samples, const idle::Verdict& verdict,
            const idle::ActivityWatch* watch) {
  // --watch is for pipelines: always JSON lines.
  if (common.json || options.watch) return print_line(idle::to_json(samples, verdict));
  if (options.explain) {
    for (const std::string& line : idle::explain(samples, verdict)) print_line(line);
    print_line(hysteresis_line(policy, options.wait));
    for (const std::string& line : event_lines(watch)) print_line(line);
    return;
  }
  if (common.quiet) return;
  print_line(verdict.idle ? "idle" : "busy: " + join(verdict.busy_reasons(), "; "));
}

Result<int> run(const cli::CommonOptions& common, Options& options,
                std::vector<cli::ConfigFlag>& flags) {
  if (options.require_ac) flags.push_back({"--require-ac", "idle.require_ac", "true"});
  Result<config::Config> cfg = cli::load_config(common, flags);
  if (!cfg) return cfg.error();
  Result<idle::Policy> policy = idle::Policy::from_config(*cfg);
  if (!policy) return policy.error();
  idle::DetectorOptions detector_options = idle::DetectorOptions::from_config(*cfg);
  detector_options.root = options.root;
  if (options.only) {
    Result<idle::Checks> checks = idle::parse_checks(*options.only);
    if (!checks) return checks.error();
    detector_options.checks = *checks;
  }
  std::optional<Millis> watch, timeout;
  if (options.watch && options.watch->empty()) {
    watch = Millis(0);  // set to --interval below
  } else if (options.watch) {
    Result<Millis> parsed = duration_flag("--watch", *options.watch, false);
    if (!parsed) return parsed.error();
    watch = *parsed;
  }
  if (options.timeout) {
    Result<Millis> parsed = duration_flag("--timeout", *options.timeout, true);
    if (!parsed) return parsed.error();
    timeout = *parsed;
  }
  Result<Millis> interval = duration_flag("--interval", options.interval, false);
  if (!interval) return interval.error();
  if (options.wait && watch) {
    return make_error(ErrorCode::invalid_argument, "--wait and --watch cannot be combined",
                      "use --watch to print every look, --wait to block until idle");
  }
  if (options.count < 0) {
    return make_error(ErrorCode::invalid_argument, "--count must be 0 or more");
  }

  // --watch without a period: a line per verdict change, as soon as it happens.
  bool changes_only = watch && options.watch->empty();
  if (changes_only) watch = *interval;
  detector_options.cpu_running = watch || options.wait;
  idle::Detector detector(detector_options);
  idle::Steadiness steadiness;
  Waker waker;
  std::unique_ptr<idle::ActivityWatch> events;
  if (detector_options.checks.input && (watch || options.wait || options.explain)) {
    events = idle::ActivityWatch::start(detector_options.root, [&waker] { waker.wake(); });
  }
  std::int64_t deadline = timeout ? steady_now_ms() + timeout->count() : 0;
  std::optional<bool> shown;
  for (long long looks = 1;; ++looks) {
    Result<idle::Samples> samples = detector.sample();
    if (!samples) return samples.error();
    if (events && samples->checks.input) {
      std::vector<idle::InputSource> more = events->input_sources();
      samples->input.insert(samples->input.end(), more.begin(), more.end());
    }
    idle::Verdict verdict = idle::evaluate(*policy, *samples);
    if (watch || options.wait) steadiness.apply(*policy, verdict, steady_now_ms());
    bool print = watch && (!changes_only || shown != verdict.idle);
    if (print) shown = verdict.idle;
    bool last = !watch && !options.wait;
    if (options.wait) {
      last = verdict.idle || (timeout && steady_now_ms() >= deadline);
    } else if (watch && options.count > 0) {
      last = changes_only ? print && --options.count == 0 : looks >= options.count;
    }
    if (print || (last && !watch)) report(common, options, *policy, *samples, verdict, events.get());
    if (last) return verdict.idle ? k_exit_idle : k_exit_busy;
    Millis pause = watch ? *watch : *interval;
    if (std::optional<Millis> settles = idle::settles_in(verdict); settles && changes_only) {
      pause = std::min(pause, *settles + Millis(5));
    }
    if (options.wait && timeout) {
      pause = std::min(pause, Millis(std::max<std::int64_t>(0, deadline - steady_now_ms())));
    }
    waker.sleep(changes_only || options.wait ? pause : *watch, changes_only || options.wait);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Is this machine idle now? Exit 0 idle, 1 busy, 2 error.", "ia-idle"};
  cli::CommonOptions common;
  Options options;
  cli::add_common_flags(app, common, "ia-idle");
  std::vector<cli::ConfigFlag> flags = {
      {"--idle-time", "idle.idle_time", {}},   {"--max-cpu", "idle.max_cpu", {}},
      {"--max-memory", "idle.max_memory", {}}, {"--max-gpu", "idle.max_gpu", {}},
      {"--max-gpu-memory", "idle.max_gpu_memory", {}},
      {"--cpu-window", "idle.cpu_window", {}}, {"--cpu-busy-for", "idle.cpu_busy_for", {}},
      {"--resume-after", "idle.resume_after", {}}, {"--busy-if-running", "idle.busy_if_running", {}},
      {"--only-between", "idle.only_between", {}}, {"--nvml-path", "idle.nvml_path", {}},
      {"--own-cgroup", "idle.own_cgroup", {}},
  };
  cli::add_config_flags(app, flags);
  app.add_flag("--require-ac", options.require_ac, "Busy while on battery (idle.require_ac)");
  app.add_flag("--explain", options.explain, "Print one line per signal saying why idle or busy");
  app.add_option("--watch", options.watch,
                 "Print one JSON line every D (e.g. 5s) until killed; without D, one line per "
                 "verdict change as it happens (input events wake it; --interval polls)")
      ->expected(0, 1)
      ->option_text("D");
  app.add_option("--count", options.count, "With --watch: stop after N lines")->option_text("N");
  app.add_flag("--wait", options.wait, "Block until the machine is idle");
  app.add_option("--timeout", options.timeout, "With --wait: give up after D (exit 1)")
      ->option_text("D");
  app.add_option("--interval", options.interval, "With --wait: look every D (default 5s)")
      ->option_text("D");
  app.add_option("--only", options.only,
                 "Check only these signals: input,cpu,memory,power,gpu,processes,time")
      ->option_text("LIST");
  app.add_option("--root", options.root, "Read /proc and /sys under DIR (tests)")
      ->envname("IA_ROOT")
      ->option_text("DIR");
  cli::ToolSpec spec{"ia-idle", k_exit_error, [](const Error&) { return k_exit_error; }};
  return cli::run_tool(spec, app, common, argc, argv,
                       [&]() { return run(common, options, flags); });
}
