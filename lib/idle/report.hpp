// How a look and its verdict are shown: one JSON object with every signal (ia-idle
// --json, --watch, and ia-node's heartbeat) and human lines for --explain. Pure.
#pragma once

#include <string>
#include <vector>

#include "idle/policy.hpp"
#include "idle/sample.hpp"

namespace ia::idle {

// One line of compact JSON (no newline).
std::string to_json(const Samples& samples, const Verdict& verdict);

// "idle" or "busy", then one line per signal and GPU saying why.
std::vector<std::string> explain(const Samples& samples, const Verdict& verdict);

}  // namespace ia::idle
