#include "store/store.hpp"

#include <future>

#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"

namespace ia::store {

Status Store::write_sync(Batch batch) {
  std::promise<Status> promise;
  std::future<Status> future = promise.get_future();
  write(std::move(batch), [&promise](const Status& status) { promise.set_value(status); });
  return future.get();
}

Result<std::unique_ptr<Store>> open_store(const std::string& url, StoreOptions options) {
  constexpr std::string_view k_sqlite = "sqlite://";
  if (url.rfind(k_sqlite, 0) == 0 && url.size() > k_sqlite.size()) {
    return open_sqlite(url.substr(k_sqlite.size()));
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return open_pg(url, options);
  }
  return make_error(ErrorCode::invalid_argument, "store URL '" + url + "' is not understood",
                    "use sqlite:///path/to/sched.db or postgresql://host/database");
}

}  // namespace ia::store
