// PostgreSQL store URLs as libpq reads them (postgresql:// or postgres://), and the form
// of one that is safe to show: in logs, errors and /v1/stats. Pure functions.
#pragma once

#include <string>

#include "core/result.hpp"

namespace ia::store {

// url without a password: in the user part ("user:secret@", even with '@', '?' or '/' in
// the secret) or in the query, under any key that names a pass once %-decoded and
// lower-cased ("password=", "sslpassword=", "pass%77ord=", "PASSWORD="); a key with a
// malformed escape goes too.
std::string redact_password(const std::string& url);

// Refuses what libpq cannot parse, naming the URL without its password; libpq's own
// message has the same secrets taken out.
Status check_pg_url(const std::string& url);

}  // namespace ia::store
