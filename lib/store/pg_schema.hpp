// The PostgreSQL schema of the store as an ordered list of migrations; the table ia_meta
// records how many have run. New versions append a migration, never edit an old one.
#pragma once

#include "core/result.hpp"
#include "store/pg_conn.hpp"

namespace ia::store {

inline constexpr int k_pg_schema_version = 1;

// Brings the database up to k_pg_schema_version in one transaction; refuses a newer one.
Status migrate_pg(PgConn& conn);

}  // namespace ia::store
