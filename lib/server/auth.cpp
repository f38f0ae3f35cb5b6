#include "server/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>

#include "core/random.hpp"
#include "core/strings.hpp"

namespace ia::server {
namespace {

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(k_digits[data[i] >> 4]);
    out.push_back(k_digits[data[i] & 15]);
  }
  return out;
}

Error unauthorized(std::string message) {
  return make_error(ErrorCode::unauthorized, std::move(message),
                    "send Authorization: Bearer TOKEN; an admin creates one with "
                    "'ia-sched token create --role client'");
}

}  // namespace

Result<std::string> new_token() {
  std::array<unsigned char, 32> bytes{};
  IA_TRY(random_bytes(bytes.data(), bytes.size()));
  return "ia_" + hex(bytes.data(), bytes.size());
}

std::string hash_token(std::string_view token) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest.data());
  return hex(digest.data(), digest.size());
}

std::string_view request_token(const http::Request& request) {
  std::string_view authorization = request.header("authorization");
  if (authorization.size() > 7 && to_lower(authorization.substr(0, 7)) == "bearer ") {
    return trim(authorization.substr(7));
  }
  return trim(request.header("x-api-token"));
}

std::vector<std::string> TokenTable::replace(std::vector<store::TokenRecord> tokens) {
  std::lock_guard lock(m_mutex);
  std::vector<std::string> lost;
  for (const store::TokenRecord& old : m_tokens) {
    if (old.revoked) continue;
    bool still = std::any_of(tokens.begin(), tokens.end(), [&](const store::TokenRecord& now) {
      return now.name == old.name && !now.revoked;
    });
    if (!still) lost.push_back(old.name);
  }
  m_tokens = std::move(tokens);
  return lost;
}

bool TokenTable::empty() const {
  std::lock_guard lock(m_mutex);
  return m_tokens.empty();
}

bool TokenTable::valid(std::string_view name) const {
  std::lock_guard lock(m_mutex);
  return std::any_of(m_tokens.begin(), m_tokens.end(), [name](const store::TokenRecord& record) {
    return record.name == name && !record.revoked;
  });
}

std::optional<Role> TokenTable::role(std::string_view name) const {
  std::lock_guard lock(m_mutex);
  for (const store::TokenRecord& record : m_tokens) {
    if (record.name != name || record.revoked) continue;
    Result<Role> role = parse_role(record.role);
    if (role) return *role;
  }
  return std::nullopt;
}

Result<Principal> TokenTable::check(std::string_view token) const {
  if (token.empty()) return unauthorized("no token");
  std::string digest = hash_token(token);
  std::lock_guard lock(m_mutex);
  // Every stored digest is compared in full, in constant time, so timing tells nothing
  // about which token (or how much of one) matched.
  const store::TokenRecord* match = nullptr;
  for (const store::TokenRecord& record : m_tokens) {
    if (record.hash.size() == digest.size() &&
        CRYPTO_memcmp(record.hash.data(), digest.data(), digest.size()) == 0) {
      match = &record;
    }
  }
  if (!match) return unauthorized("unknown token");
  if (match->revoked) return unauthorized("token '" + match->name + "' was revoked");
  Result<Role> role = parse_role(match->role);
  IA_TRY(role);
  return Principal::of_token(match->name, *role);
}

}  // namespace ia::server
