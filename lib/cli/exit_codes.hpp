// Exit codes the client tools share (each man page lists them). ia-idle and ia-sandbox
// have their own small sets, documented in their pages.
#pragma once

#include "core/error.hpp"

namespace ia::cli {

inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_failure = 1;      // the task failed, or a generic failure
inline constexpr int k_exit_usage = 2;        // bad flags, arguments or config
inline constexpr int k_exit_unreachable = 3;  // the scheduler could not be reached
inline constexpr int k_exit_unauthorized = 4; // missing, wrong or revoked token
inline constexpr int k_exit_not_found = 5;    // no such task or node

int client_exit_code(const Error& error);

}  // namespace ia::cli
