#include "setup.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "server/auth.hpp"
#include "core/file.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"

namespace ia::server {

Result<ListenAddress> parse_listen(const std::string& text) {
  std::size_t colon = text.rfind(':');
  long long port = -1;
  if (colon == std::string::npos || !parse_int64(text.substr(colon + 1), port) || port < 0 ||
      port > 65535) {
    return make_error(ErrorCode::invalid_argument,
                      "listen address '" + text + "' is not HOST:PORT",
                      "for example 127.0.0.1:8000, 0.0.0.0:8000 or [::1]:8000");
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  return ListenAddress{host, static_cast<int>(port)};
}

std::string state_dir(const config::Config& cfg) {
  const std::string& configured = cfg.string("sched.state_dir");
  if (!configured.empty()) return configured;
  if (geteuid() == 0) return "/var/lib/ia";
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
    return std::string(xdg) + "/ia";
  }
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.local/state/ia";
}

std::string store_url(const config::Config& cfg) {
  const std::string& configured = cfg.string("sched.store");
  if (!configured.empty()) return configured;
  return "sqlite://" + state_dir(cfg) + "/sched.db";
}

Status ensure_dir(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return make_error(ErrorCode::io, "create state directory " + dir + ": " + ec.message(),
                        "pass a writable --state-dir");
    }
    // Only the server's user reads the store and the admin token.
    chmod(dir.c_str(), 0700);
  }
  return check_dir_private(dir);
}

Status check_dir_private(const std::string& dir) {
  struct stat info{};
  if (stat(dir.c_str(), &info) != 0) return system_error("stat", dir);
  // Whoever else may write there can swap the store or the admin token for their own.
  if (info.st_mode & (S_IWGRP | S_IWOTH)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return make_error(ErrorCode::invalid_argument,
                      "state directory " + dir + " is writable by other users (mode " + mode +
                          "); they could replace the store or the admin token",
                      "run 'chmod go-w " + dir + "' (better: chmod 700), or pass a "
                      "--state-dir that only this user can write");
  }
  return {};
}

Result<ServiceOptions> service_options(const config::Config& cfg) {
  ServiceOptions options;
  Result<std::vector<Network>> networks = parse_networks(cfg.list("sched.legacy_networks"));
  IA_TRY(networks);
  options.legacy_networks = std::move(*networks);
  options.settings.heartbeat_interval_ms = cfg.duration("sched.heartbeat_interval").count();
  options.settings.lease_expiry_misses = cfg.integer("sched.lease_expiry_misses");
  options.limits.max_code = cfg.bytes("sched.max_code");
  options.limits.max_output = static_cast<std::int64_t>(cfg.bytes("sched.max_output"));
  options.max_wait_s = cfg.duration("sched.max_wait").count() / 1000;
  options.insecure = cfg.boolean("sched.insecure");
  options.legacy_open = cfg.boolean("sched.legacy_open");
  options.rate_limit = cfg.integer("sched.rate_limit");
  options.max_waits_per_token = cfg.integer("sched.max_waits_per_token");
  options.max_streams_per_token = cfg.integer("sched.max_event_streams_per_token");
  options.open_rate_limit = cfg.integer("sched.open_rate_limit");
  options.max_nodes_per_token = cfg.integer("sched.max_nodes_per_token");
  return options;
}

Result<http::ServerOptions> server_options(const config::Config& cfg) {
  Result<ListenAddress> listen = parse_listen(cfg.string("sched.listen"));
  IA_TRY(listen);
  http::ServerOptions options;
  options.host = listen->host;
  options.port = listen->port;
  options.threads = static_cast<int>(cfg.integer("sched.threads"));
  options.max_body = cfg.bytes("sched.max_body");
  options.max_header = cfg.bytes("sched.max_header");
  options.header_timeout = cfg.duration("sched.header_timeout");
  options.read_timeout = cfg.duration("sched.read_timeout");
  options.idle_timeout = cfg.duration("sched.idle_timeout");
  options.tls_cert = cfg.string("sched.tls_cert");
  options.tls_key = cfg.string("sched.tls_key");
  options.max_connections = static_cast<std::size_t>(cfg.integer("sched.max_connections"));
  options.max_connections_per_address =
      static_cast<std::size_t>(cfg.integer("sched.max_connections_per_address"));
  options.max_stream_queue = cfg.bytes("sched.max_event_queue");
  options.stream_send_buffer = std::min<std::size_t>(64 * 1024, options.max_stream_queue / 4);
  return options;
}

std::size_t open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? SIZE_MAX : static_cast<std::size_t>(limit.rlim_cur);
}

std::size_t connection_cap(std::size_t configured, std::size_t open_files) {
  std::size_t room = open_files > k_reserved_files ? open_files - k_reserved_files : 0;
  return std::max<std::size_t>(std::min(configured, room), 16);
}

Status first_admin_token(store::Store& store, const std::string& dir, Logger& log) {
  Result<std::vector<store::TokenRecord>> tokens = store.tokens();
  IA_TRY(tokens);
  if (!tokens->empty()) return {};
  Result<std::string> token = new_token();
  IA_TRY(token);
  std::string path = dir + "/admin.token";
  // A new temporary file (O_EXCL, O_NOFOLLOW) renamed over the name: whatever was planted
  // at either name is replaced, never written through.
  IA_TRY(write_file_durably(path, *token + "\n", 0600));
  IA_TRY(store.write_sync(store::Batch{
      {}, {}, {}, {store::TokenRecord{"admin", "admin", hash_token(*token), unix_now_ms(), false}}}));
  log.notice("first start: created an admin token in " + path +
              " (read it from there; 'ia-sched token create' makes more)");
  return {};
}

}  // namespace ia::server
