// The store's records as PostgreSQL rows: prepared upserts that write a Batch, and the
// queries that read a Snapshot back. Callers own the transaction and the connection.
#pragma once

#include <vector>

#include "core/result.hpp"
#include "store/pg_conn.hpp"
#include "store/store.hpp"

namespace ia::store {

// Prepares the statements write_batch runs; again after every reconnect.
Status prepare_upserts(PgConn& conn);
Status write_batch(PgConn& conn, const Batch& batch);

Result<Snapshot> read_snapshot(PgConn& conn);
Result<std::vector<TokenRecord>> read_tokens(PgConn& conn);

}  // namespace ia::store
