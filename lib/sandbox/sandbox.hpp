// Runs one command isolated and limited, and reports what happened (ia-sandbox, ia-node).
// start() returns a Handle owned by one caller; wait() runs the output pump on the calling
// thread, while freeze(), thaw() and kill() may be called from any other thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"
#include "core/units.hpp"

namespace ia::sandbox {

// Where the task's working directory appears inside the Linux sandbox; default_env()'s
// HOME. Backends without a new root put the directory itself in HOME instead.
inline constexpr const char* k_task_dir = "/task";

// Zero means "no limit" for every field.
struct Limits {
  Millis timeout{0};         // wall time
  Millis cpu_time{0};        // CPU time of the whole task
  std::uint64_t memory = 0;  // bytes, swap included
  std::int64_t pids = 0;     // processes and threads
  std::uint64_t output = 0;  // bytes kept per stream; the rest is drained and dropped
  std::int64_t open_files = 0;
  std::uint64_t file_size = 0;
  std::uint64_t tmp_size = 0;  // the private /tmp
  double cpus = 0;             // CPU bandwidth, in CPUs
};

enum class Stream { stdout_stream, stderr_stream };

// Which cgroup hierarchy holds the task (sandbox.cgroups): automatic takes v2 when its
// mount offers the memory controller, else v1; v2 on a hybrid host (controllers on v1)
// still gives the freezer and cgroup.kill, rlimits standing in for the rest; off uses
// rlimits only.
enum class CgroupMode { automatic, v1, v2, off };

struct StdinSource {
  enum class Kind { inherit, null, file, data };
  Kind kind = Kind::null;
  std::string value;  // path for file, bytes for data
};

// A file the task finds in its private working directory, such as ia-node's script.
struct TaskFile {
  std::string name;  // one plain file name
  std::string content;
  bool executable = false;
};

struct Spec {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "K=V"; the task sees only these
  std::string workdir;           // empty: a private temporary one, removed afterwards
  // Put in the private working directory before the task starts (so workdir stays
  // empty). On Linux that directory is a tmpfs of limits.tmp_size: what the task writes
  // there is bounded and counts against its memory, never the host's disk.
  std::vector<TaskFile> files;
  Limits limits;
  bool net = false;       // share the host's network
  std::vector<int> gpus;  // NVIDIA GPU indexes made visible
  StdinSource stdin_source;
  bool capture = true;  // keep output (up to limits.output) in the Outcome
  // Called on the wait() thread with each chunk as it arrives (before truncation).
  std::function<void(Stream, std::string_view)> on_output;
  std::vector<std::string> require;  // mechanisms that must apply, else start() fails
  std::uint32_t uid = 65534;         // the task's uid and gid when started as root
  std::uint32_t gid = 65534;
  std::string cgroup_parent = "ia";
  CgroupMode cgroups = CgroupMode::automatic;
  // Whether freeze() and thaw() will be called (ia-node, while the owner is back). Without,
  // a v1 host makes no freezer cgroup unless require names it, and freeze() uses signals.
  bool freezable = true;
  std::string dev_dir = "/dev";  // where GPU device nodes are looked up (tests change it)
  // When a time limit or terminate() ends the task: SIGTERM first, SIGKILL this much later
  // if it still runs, so that a trap can save its work. 0: SIGKILL at once.
  Millis kill_grace{0};
};

struct Outcome {
  int exit_code = 0;  // the command's code, or 128+signal, or 124 when a limit ended it
  int signal = 0;
  bool timed_out = false;  // wall time or CPU time ran out
  std::string limit_hit;   // "", "timeout", "cpu_time"
  bool oom_killed = false;
  // How the sandbox ended it, when it did (limit, kill, terminate): "SIGTERM" (it ended
  // within the kill grace), "SIGKILL"; "" when the task ended by itself.
  std::string ended_by;
  bool term_sent = false;  // SIGTERM went first
  std::int64_t wall_ms = 0;
  std::int64_t cpu_ms = 0;
  std::int64_t max_rss_kb = 0;
  std::string stdout_text;
  std::string stderr_text;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
  std::vector<std::string> isolation;  // mechanisms actually applied
  std::vector<std::string> missing;    // mechanisms wanted but not available, with why
  Limits limits;
};

class Handle {
 public:
  struct Impl;
  explicit Handle(std::unique_ptr<Impl> impl);
  Handle(Handle&&) noexcept;
  Handle& operator=(Handle&&) noexcept;
  ~Handle();  // kills the task and cleans up if wait() was never called

  // Stops or resumes every process of the task (cgroup freezer, else SIGSTOP/SIGCONT).
  Status freeze();
  Status thaw();
  // Ends every process of the task; wait() then returns its Outcome.
  Status kill();
  // SIGTERM to every process of the task (thawed first), SIGKILL after spec.kill_grace
  // if any still runs; kill() when the grace is 0. Backends without signals kill().
  Status terminate();
  // Pumps output until the task ends, enforces limits, removes what it made.
  Result<Outcome> wait();
  // Mechanisms applied so far (known once start() has returned).
  const std::vector<std::string>& isolation() const;
  int pid() const;  // the sandbox's init process, as the host sees it

 private:
  std::unique_ptr<Impl> m_impl;
};

Result<Handle> start(const Spec& spec);

// start() then wait().
Result<Outcome> run(const Spec& spec);

// ---- Shared, platform-free helpers (spec.cpp) ----

// Limits, uid/gid, cgroup parent and hierarchy and require list from the [sandbox] keys.
Status apply_config(const config::Config& cfg, Spec& spec);

// "0,2" -> {0, 2}; "" -> {}; anything else is an invalid_argument error.
Result<std::vector<int>> parse_gpu_list(std::string_view text);

// sandbox.cgroups: "auto", "v1", "v2" or "off"; anything else is an invalid_argument error.
Result<CgroupMode> parse_cgroup_mode(std::string_view text);

// Checks a --require list against the names in known_mechanisms().
Result<std::vector<std::string>> parse_require(std::string_view text);
const std::vector<std::string>& known_mechanisms();

// Spec::files: plain, distinct names, and no workdir of the caller's to put them in.
Status check_task_files(const Spec& spec);

// The names in required that applied lacks, or an empty list.
std::vector<std::string> unmet(const std::vector<std::string>& required,
                               const std::vector<std::string>& applied);

// Where a command named without a slash is looked up: the PATH entry of env (the task's
// own environment), else /usr/local/bin:/usr/bin:/bin; empty entries are skipped.
std::vector<std::string> search_path(const std::vector<std::string>& env);

// A small default environment: PATH, HOME, TMPDIR, LANG and TERM when set.
std::vector<std::string> default_env(const std::function<const char*(const char*)>& getenv);

// Sets NAME=value in env, in place of any entry for name: with two, which one a
// program sees depends on its C library (sh took the first PATH, python3 the last).
void set_env(std::vector<std::string>& env, std::string_view name, std::string_view value);

// The one result object of `ia-sandbox --json`.
std::string outcome_json(const Outcome& outcome);

}  // namespace ia::sandbox
