// The errors both HTTP clients (libcurl's Client, Beast's LeanClient) report when a
// request gets no answer, written once so each says the same thing and the same next step.
// Pure functions; thread safe.
#pragma once

#include <string>

#include "core/error.hpp"

namespace ia::http {

Error unreachable_error(const std::string& url, const std::string& why);
Error unresolved_error(const std::string& url, const std::string& why);
Error timed_out_error(const std::string& url);
Error interrupted_error(const std::string& url);
Error tls_error(const std::string& url, const std::string& why);

}  // namespace ia::http
