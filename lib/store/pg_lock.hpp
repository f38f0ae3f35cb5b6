// The advisory lock that makes one ia-sched the only one on a database. Session level:
// the server drops it when the connection ends, however the process ended.
#pragma once

#include "core/result.hpp"
#include "store/pg_conn.hpp"

namespace ia::store {

// Takes the lock, waiting a few seconds for a session that is ending (a killed ia-sched's
// backend lets go only once it notices); refuses with ErrorCode::conflict if another
// ia-sched holds it.
Status lock_database(PgConn& conn);
Status unlock_database(PgConn& conn);

}  // namespace ia::store
