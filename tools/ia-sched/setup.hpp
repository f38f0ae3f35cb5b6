// Turning the [sched] configuration into what the server needs: listen address, state
// directory, store URL, service options; and the first-start admin token file.
#pragma once

#include <string>

#include "config/config.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "http/server.hpp"
#include "server/service.hpp"
#include "store/store.hpp"

namespace ia::server {

struct ListenAddress {
  std::string host;
  int port = 0;
};

Result<ListenAddress> parse_listen(const std::string& text);
// [sched] state_dir, or /var/lib/ia as root, or $XDG_STATE_HOME/ia (~/.local/state/ia).
std::string state_dir(const config::Config& cfg);
// [sched] store, or sqlite://STATE_DIR/sched.db.
std::string store_url(const config::Config& cfg);
// Creates the state directory (0700) when missing; refuses one that group or others can
// write (check_dir_private).
Status ensure_dir(const std::string& dir);
Status check_dir_private(const std::string& dir);

// The [sched] settings the service reads; an error names a bad legacy_networks entry.
Result<ServiceOptions> service_options(const config::Config& cfg);
Result<http::ServerOptions> server_options(const config::Config& cfg);

// Descriptors the server keeps for other than connections: the store and its WAL, logs,
// the listener, epoll, and the connections being refused (k_max_refusing).
constexpr std::size_t k_reserved_files = 256;
// Raises the soft RLIMIT_NOFILE to the hard one; the soft limit now in force.
std::size_t open_file_limit();
// The connection cap that fits in open_files: accept() never fails for want of a
// descriptor (which would leave everyone waiting in the listen backlog).
std::size_t connection_cap(std::size_t configured, std::size_t open_files);

// With no token stored yet: creates an admin token, writes it to DIR/admin.token (0600)
// and logs the file's path, never the token.
Status first_admin_token(store::Store& store, const std::string& dir, Logger& log);

}  // namespace ia::server
