// Rereading the store's tokens at once when a request carries a token the table does not
// know (the store watcher rereads them every 250 ms too), so that a token just created works at once. The second kind is
// rate-limited: unknown tokens must not make the server read its store on every request.
#include "server/service.hpp"

namespace ia::server {
namespace {

constexpr std::int64_t k_unknown_token_gap_ms = 250;

}  // namespace

bool Service::reread_tokens(std::atomic<std::int64_t>& last, std::int64_t min_gap_ms) {
  std::int64_t then = last.load();
  std::int64_t at = now();
  if (at - then < min_gap_ms || !last.compare_exchange_strong(then, at)) return false;
  // Outside m_mutex: the store's lock may be held through a commit's fsync. One reader at
  // a time, so that an older read never replaces a newer table.
  std::lock_guard lock(m_token_reread);
  Result<std::vector<store::TokenRecord>> tokens = m_store->tokens();
  if (!tokens) return false;
  drop_leases_of(m_tokens.replace(std::move(*tokens)));
  return true;
}

Result<Principal> Service::check_token(std::string_view token) {
  Result<Principal> principal = m_tokens.check(token);
  if (principal || token.empty()) return principal;
  if (!reread_tokens(m_last_unknown_token_reread, k_unknown_token_gap_ms)) return principal;
  return m_tokens.check(token);
}

}  // namespace ia::server
