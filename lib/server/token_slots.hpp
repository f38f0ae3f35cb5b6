// What each token holds open at once (parked long-polls, event streams), against a cap:
// a slot is a shared_ptr whose last copy gives it back, so it goes with whatever holds
// it (a parked reply, a subscriber). Thread safe; slots may outlive the TokenSlots.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace ia::server {

class TokenSlots {
 public:
  using Slot = std::shared_ptr<void>;
  // A slot for name; null when name holds cap already.
  Slot take(const std::string& name, std::int64_t cap);
  std::int64_t held(const std::string& name) const;

 private:
  struct Counts {
    std::mutex mutex;
    std::map<std::string, std::int64_t, std::less<>> held;
  };
  std::shared_ptr<Counts> m_counts = std::make_shared<Counts>();
};

}  // namespace ia::server
