// The SQLite backend of store::Store. One connection, owned by a writer thread that
// commits queued batches in groups: every batch waiting when a commit starts shares that
// transaction and its one fsync (group commit). WAL with synchronous=FULL makes each
// commit durable before its callbacks run, so an answered request survives kill -9 and
// power loss. Thread safe.
#pragma once

#include <memory>
#include <string>

#include "store/store.hpp"

namespace ia::store {

Result<std::unique_ptr<Store>> open_sqlite(const std::string& path);

}  // namespace ia::store
