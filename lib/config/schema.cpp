#include "config/schema.hpp"

namespace ia::config {

std::string_view type_name(Type type) {
  switch (type) {
    case Type::string: return "a string";
    case Type::boolean: return "true or false";
    case Type::integer: return "an integer";
    case Type::number: return "a number";
    case Type::percent: return "a percentage from 0 to 100";
    case Type::duration: return "a duration such as \"90s\" or \"10m\"";
    case Type::bytes: return "a size such as \"512M\"";
    case Type::string_list: return "a list of strings";
  }
  return "a value";
}

const std::vector<KeyDef>& schema() {
  // NOLINTNEXTLINE: built once, read-only afterwards.
  static const std::vector<KeyDef> k_keys = {
      // [client]: what ia-submit, ia-status, ia-cancel and ia-node use to reach ia-sched.
      {"client", "server", Type::string, "http://127.0.0.1:8000", "IA_SERVER",
       "scheduler URL"},
      {"client", "token", Type::string, "", "IA_TOKEN", "bearer token"},
      {"client", "token_file", Type::string, "", "IA_TOKEN_FILE", "file holding the token"},
      {"client", "timeout", Type::duration, "30s", "IA_CLIENT_TIMEOUT",
       "time limit for one request"},
      {"client", "ca_file", Type::string, "", "IA_CA_FILE",
       "PEM CA bundle to trust for an https:// server (a self-signed ia-sched); empty: the "
       "system's CAs"},
      {"client", "confirm_above", Type::integer, "10000", "IA_CLIENT_CONFIRM_ABOVE",
       "ia-submit asks on a terminal before submitting more tasks than this (--yes skips it)",
       0.0, 1e9},

      // [node]: the agent on a machine that lends its idle time (ia-node).
      {"node", "node_id", Type::string, "", "IA_NODE_ID",
       "stable id; derived from /etc/machine-id and the host name when empty"},
      {"node", "state_dir", Type::string, "/var/lib/ia/node", "IA_NODE_STATE_DIR",
       "where the node keeps its id, spooled results and status"},
      {"node", "slots", Type::integer, "1", "IA_NODE_SLOTS", "tasks run at once", 1.0, 1024.0},
      {"node", "idle", Type::string, "policy", "IA_NODE_IDLE",
       "\"policy\" follows [idle]; \"always\" for a dedicated machine"},
      {"node", "labels", Type::string_list, "", "IA_NODE_LABELS",
       "labels offered to tasks, as key=value"},
      {"node", "suspend_grace", Type::duration, "10m", "IA_NODE_SUSPEND_GRACE",
       "how long a frozen task waits for the owner to leave before it is vacated"},
      {"node", "drain_timeout", Type::duration, "5m", "IA_NODE_DRAIN_TIMEOUT",
       "on SIGTERM, how long running tasks may finish before they are vacated"},
      {"node", "poll_wait", Type::duration, "30s", "IA_NODE_POLL_WAIT",
       "long-poll time of one lease request", 1000.0, 300000.0},
      {"node", "heartbeat_interval", Type::duration, "10s", "IA_NODE_HEARTBEAT_INTERVAL",
       "how often the node heartbeats (keep it at or below [sched] heartbeat_interval)",
       500.0, 600000.0},
      {"node", "check_interval", Type::duration, "2s", "IA_NODE_CHECK_INTERVAL",
       "how often a running node re-checks that the machine is idle", 100.0, 600000.0},
      // [sched]: the scheduler server, ia-sched (DESIGN.md §3, §6, §7).
      {"sched", "listen", Type::string, "127.0.0.1:8000", "IA_SCHED_LISTEN",
       "HOST:PORT to listen on"},
      {"sched", "store", Type::string, "", "IA_SCHED_STORE",
       "store URL, sqlite:///path/sched.db; empty: sched.db in the state directory"},
      {"sched", "store_timeout", Type::duration, "10s", "IA_SCHED_STORE_TIMEOUT",
       "the longest one store call may take (PostgreSQL: connecting, each statement, an "
       "unanswered send); past it the store counts as down until it answers again",
       500.0, 600000.0},
      {"sched", "state_dir", Type::string, "", "IA_SCHED_STATE_DIR",
       "state directory (store, admin.token); empty: /var/lib/ia as root, else "
       "$XDG_STATE_HOME/ia"},
      {"sched", "insecure", Type::boolean, "false", "IA_SCHED_INSECURE",
       "serve without tokens (refused unless listening on loopback)"},
      {"sched", "legacy_open", Type::boolean, "false", "IA_SCHED_LEGACY_OPEN",
       "serve the earlier prototype's routes without a token, to legacy_networks only; such "
       "callers submit as 'anonymous' and speak only for nodes no token registered"},
      {"sched", "legacy_networks", Type::string_list, "127.0.0.0/8,::1",
       "IA_SCHED_LEGACY_NETWORKS",
       "addresses (ADDRESS or ADDRESS/PREFIX) legacy_open serves without a token"},
      {"sched", "heartbeat_interval", Type::duration, "10s", "IA_SCHED_HEARTBEAT_INTERVAL",
       "how often nodes are asked to heartbeat", 100.0, 3600000.0},
      {"sched", "lease_expiry_misses", Type::integer, "3", "IA_SCHED_LEASE_EXPIRY_MISSES",
       "missed heartbeats after which a lease expires and its node is offline", 1.0, 100.0},
      {"sched", "max_body", Type::bytes, "1M", "IA_SCHED_MAX_BODY",
       "largest request body accepted", 1024.0, 1073741824.0},
      {"sched", "max_header", Type::bytes, "16K", "IA_SCHED_MAX_HEADER",
       "largest request header block accepted", 1024.0, 1048576.0},
      {"sched", "max_code", Type::bytes, "1M", "IA_SCHED_MAX_CODE",
       "largest script, or standard input, a task may carry", 1.0, 1073741824.0},
      {"sched", "max_output", Type::bytes, "64M", "IA_SCHED_MAX_OUTPUT",
       "largest output_limit a task may ask for (ia-submit --output-limit; "
       "a task that asks for none gets 1M)", 0.0, 17179869184.0},
      {"sched", "max_wait", Type::duration, "1h", "IA_SCHED_MAX_WAIT",
       "longest long-poll (wait=, timeout=) a request may ask for", 0.0, 86400000.0},
      {"sched", "header_timeout", Type::duration, "10s", "IA_SCHED_HEADER_TIMEOUT",
       "a request's header must arrive within this of its first byte, a new connection's "
       "first request and TLS handshake too (slow-loris clients are cut off)", 100.0, 3600000.0},
      {"sched", "read_timeout", Type::duration, "30s", "IA_SCHED_READ_TIMEOUT",
       "a request's body must arrive within this after its header (slow clients are cut "
       "off); also the limit for writing an answer", 100.0, 3600000.0},
      {"sched", "idle_timeout", Type::duration, "75s", "IA_SCHED_IDLE_TIMEOUT",
       "how long a kept-alive connection may sit idle", 100.0, 3600000.0},
      {"sched", "threads", Type::integer, "0", "IA_SCHED_THREADS",
       "server threads; 0: one per core", 0.0, 1024.0},
      {"sched", "rate_limit", Type::integer, "0", "IA_SCHED_RATE_LIMIT",
       "requests per second per token; 0: unlimited", 0.0, 1000000.0},
      {"sched", "max_connections", Type::integer, "20000", "IA_SCHED_MAX_CONNECTIONS",
       "connections open at once (10,000 nodes each holding a long-poll, and their other "
       "requests); kept 256 below the open-file limit; past it new ones get 503",
       16.0, 1000000.0},
      {"sched", "max_connections_per_address", Type::integer, "2000",
       "IA_SCHED_MAX_CONNECTIONS_PER_ADDRESS",
       "connections open at once from one IPv4 address or IPv6 /64 (about 1,000 nodes "
       "behind one NAT); past it new ones get 429",
       1.0, 1000000.0},
      {"sched", "max_waits_per_token", Type::integer, "1000", "IA_SCHED_MAX_WAITS_PER_TOKEN",
       "task and output long-polls (wait=, timeout=) parked at once per token; past it 429",
       1.0, 1000000.0},
      {"sched", "max_event_streams_per_token", Type::integer, "16",
       "IA_SCHED_MAX_EVENT_STREAMS_PER_TOKEN",
       "/v1/events streams open at once per token; past it 429", 1.0, 100000.0},
      {"sched", "max_event_queue", Type::bytes, "256K", "IA_SCHED_MAX_EVENT_QUEUE",
       "bytes an event stream may queue for a reader that does not keep up (and a quarter "
       "of it, at most 64K, in the kernel); past it the stream ends and the reader resumes "
       "with Last-Event-ID", 4096.0, 67108864.0},
      {"sched", "open_rate_limit", Type::integer, "20", "IA_SCHED_OPEN_RATE_LIMIT",
       "requests per second per address to the routes that need no token (/, /health, "
       "/metrics); 0: unlimited", 0.0, 1000000.0},
      {"sched", "max_nodes_per_token", Type::integer, "1000", "IA_SCHED_MAX_NODES_PER_TOKEN",
       "node ids one node token may register; 0: no cap", 0.0, 100000000.0},
      {"sched", "tls_cert", Type::string, "", "IA_SCHED_TLS_CERT",
       "TLS certificate chain (PEM); with tls_key, serve HTTPS instead of HTTP"},
      {"sched", "tls_key", Type::string, "", "IA_SCHED_TLS_KEY",
       "TLS private key (PEM, unencrypted) matching tls_cert"},

      // [idle]: when is this machine idle (ia-idle, ia-node).
      {"idle", "idle_time", Type::duration, "5m", "IA_IDLE_TIME",
       "user input idle at least this long"},
      {"idle", "max_cpu", Type::percent, "20", "IA_IDLE_MAX_CPU",
       "CPU busy percent above which the machine is busy (own tasks excluded)"},
      {"idle", "max_memory", Type::percent, "90", "IA_IDLE_MAX_MEMORY",
       "memory in use percent above which the machine is busy"},
      {"idle", "max_gpu", Type::percent, "10", "IA_IDLE_MAX_GPU",
       "GPU utilization percent above which a GPU is busy"},
      {"idle", "max_gpu_memory", Type::bytes, "256M", "IA_IDLE_MAX_GPU_MEMORY",
       "GPU memory held by others' processes above which a GPU is busy"},
      {"idle", "require_ac", Type::boolean, "false", "IA_IDLE_REQUIRE_AC",
       "busy while on battery"},
      {"idle", "cpu_window", Type::duration, "250ms", "IA_IDLE_CPU_WINDOW",
       "how long to sample /proc/stat; 0 uses the load average", 0.0, 10000.0},
      {"idle", "cpu_busy_for", Type::duration, "10s", "IA_IDLE_CPU_BUSY_FOR",
       "how long CPU load must last before it makes a watched machine busy (input counts "
       "at once)", 0.0, 86400000.0},
      {"idle", "resume_after", Type::duration, "10s", "IA_IDLE_RESUME_AFTER",
       "after a busy verdict, how long the machine must look idle before tasks thaw and new "
       "work is leased", 0.0, 86400000.0},
      {"idle", "busy_if_running", Type::string_list, "", "IA_IDLE_BUSY_IF_RUNNING",
       "process names that mean the owner is using the machine"},
      {"idle", "only_between", Type::string, "", "IA_IDLE_ONLY_BETWEEN",
       "local time window such as \"22:00-07:00\"; busy outside it"},
      {"idle", "nvml_path", Type::string, "libnvidia-ml.so.1", "IA_NVML_PATH",
       "NVML library to load"},
      {"idle", "own_cgroup", Type::string, "ia", "IA_IDLE_OWN_CGROUP",
       "cgroup name under which ia's own tasks run (their load is not the owner's)"},

      // [sandbox]: how ia-sandbox and ia-node confine a task.
      {"sandbox", "uid", Type::integer, "65534", "IA_SANDBOX_UID",
       "uid the task runs as when started as root", 1.0, 4294967294.0},
      {"sandbox", "gid", Type::integer, "65534", "IA_SANDBOX_GID",
       "gid the task runs as when started as root", 1.0, 4294967294.0},
      {"sandbox", "cgroup_parent", Type::string, "ia", "IA_SANDBOX_CGROUP_PARENT",
       "cgroup directory that holds one cgroup per task (the idle detector looks for it)"},
      {"sandbox", "cgroups", Type::string, "auto", "IA_SANDBOX_CGROUPS",
       "cgroup hierarchy for tasks: auto, v1, v2 (on a hybrid host: freezer and kill only) "
       "or off (rlimits only)"},
      {"sandbox", "timeout", Type::duration, "0s", "IA_SANDBOX_TIMEOUT",
       "wall time limit; 0 for none"},
      {"sandbox", "cpu_time", Type::duration, "0s", "IA_SANDBOX_CPU_TIME",
       "CPU time limit for the whole task; 0 for none"},
      {"sandbox", "memory", Type::bytes, "2G", "IA_SANDBOX_MEMORY",
       "memory limit, swap included; 0 for none"},
      {"sandbox", "pids", Type::integer, "512", "IA_SANDBOX_PIDS",
       "process and thread limit; 0 for none", 0.0, 4194304.0},
      {"sandbox", "output_limit", Type::bytes, "64M", "IA_SANDBOX_OUTPUT_LIMIT",
       "output kept per stream; the rest is dropped; 0 for none (under ia-node, "
       "a task's own output_limit, 1M unless it asks for more, narrows it)"},
      {"sandbox", "open_files", Type::integer, "1024", "IA_SANDBOX_OPEN_FILES",
       "open file limit (RLIMIT_NOFILE); 0 to inherit", 0.0, 1048576.0},
      {"sandbox", "file_size", Type::bytes, "1G", "IA_SANDBOX_FILE_SIZE",
       "largest file the task may write (RLIMIT_FSIZE); 0 for none"},
      {"sandbox", "tmp_size", Type::bytes, "256M", "IA_SANDBOX_TMP_SIZE",
       "size of the private /tmp, and of /task when no workdir is given"},
      {"sandbox", "cpus", Type::number, "0", "IA_SANDBOX_CPUS",
       "CPU bandwidth in CPUs (cgroup cpu quota); 0 for none", 0.0, 4096.0},
      {"sandbox", "net", Type::boolean, "false", "IA_SANDBOX_NET",
       "share the host's network instead of loopback only"},
      {"sandbox", "require", Type::string_list, "", "IA_SANDBOX_REQUIRE",
       "mechanisms that must apply or the task is refused (net,fs,mem,pids,seccomp)"},
  };
  return k_keys;
}

const KeyDef* find_key(std::string_view section, std::string_view key) {
  for (const KeyDef& def : schema()) {
    if (def.section == section && def.key == key) return &def;
  }
  return nullptr;
}

}  // namespace ia::config
