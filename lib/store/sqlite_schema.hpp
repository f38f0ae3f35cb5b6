// The SQLite schema of the store as an ordered list of migrations; PRAGMA user_version
// records how many have run. New versions append a migration, never edit an old one.
#pragma once

#include "core/result.hpp"
#include "store/sqlite_db.hpp"

namespace ia::store {

inline constexpr int k_schema_version = 3;

// Brings db up to k_schema_version in one transaction; refuses a newer schema.
Status migrate(Db& db);

}  // namespace ia::store
