// The PostgreSQL backend of store::Store, for one ia-sched per database. One connection,
// owned by a writer thread that commits queued batches in groups: every batch waiting
// when a commit starts shares that transaction (group commit), and callbacks run only
// once COMMIT has returned, with synchronous_commit on. A session advisory lock keeps a
// second ia-sched off the database: sharing one needs SKIP LOCKED claims and
// LISTEN/NOTIFY (DESIGN.md §7), not built yet. Thread safe.
#pragma once

#include <memory>
#include <string>

#include "store/store.hpp"

namespace ia::store {

// url: postgresql://... or postgres://..., as libpq reads it.
Result<std::unique_ptr<Store>> open_pg(const std::string& url, StoreOptions options);

}  // namespace ia::store
