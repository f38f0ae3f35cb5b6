// Tokens and roles (DESIGN.md §6): tokens are random, shown once, stored as SHA-256
// hashes; checks compare digests in constant time. TokenTable is the server's view of
// the store's tokens; thread safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "http/message.hpp"
#include "server/principal.hpp"
#include "store/store.hpp"

namespace ia::server {

// "ia_" and 64 hex digits from the kernel's random source.
Result<std::string> new_token();
std::string hash_token(std::string_view token);

// The token a request carries: Authorization: Bearer T, or X-API-Token: T.
std::string_view request_token(const http::Request& request);

class TokenTable {
 public:
  // Returns the names that were valid before and are revoked or gone now.
  std::vector<std::string> replace(std::vector<store::TokenRecord> tokens);
  // The token's principal; unauthorized when missing, unknown or revoked.
  Result<Principal> check(std::string_view token) const;
  // Whether a token of this name exists and is not revoked.
  bool valid(std::string_view name) const;
  // The role of the active token of this name, if there is one.
  std::optional<Role> role(std::string_view name) const;
  bool empty() const;

 private:
  mutable std::mutex m_mutex;
  std::vector<store::TokenRecord> m_tokens;
};

}  // namespace ia::server
