// The connection settings every client of ia-sched shares (ia-submit, ia-status,
// ia-cancel, ia-node): [client] server, timeout and ca_file (--ca-file, IA_CA_FILE), and
// the token from --token / IA_TOKEN or from the file named by --token-file / IA_TOKEN_FILE.
#pragma once

#include <vector>

#include "cli/tool.hpp"
#include "config/config.hpp"
#include "http/client.hpp"

namespace ia::cli {

// --server, --token, --token-file and --ca-file as ConfigFlags for add_config_flags.
std::vector<ConfigFlag> client_flags();

Result<http::ClientOptions> client_options(const config::Config& cfg);

}  // namespace ia::cli
