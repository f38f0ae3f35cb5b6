// The node's stable identity: the configured id, else one derived from /etc/machine-id
// and the host name, persisted in the state directory so it survives renames and restarts.
#pragma once

#include <string>

#include "core/result.hpp"

namespace ia::node {

// A node id is 1-64 characters of [A-Za-z0-9._-]; the error names the bad character.
Status validate_node_id(const std::string& id);

// "<hostname>-<first 8 hex digits of machine-id>", cleaned to the allowed characters.
std::string derive_node_id(const std::string& hostname, const std::string& machine_id);

// The id to use: configured (validated) wins; else the one saved in state_dir/node_id;
// else a derived one, which is saved there. root prefixes /etc/machine-id (tests).
Result<std::string> resolve_node_id(const std::string& configured, const std::string& state_dir,
                                    const std::string& root = "");

}  // namespace ia::node
