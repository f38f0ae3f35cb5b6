// How many connections http::Server holds open, in all and per peer address, and the
// verdict on a new one. Thread safe; plain C++ so it is tested without sockets.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ia::http {

class ConnectionLimits {
 public:
  enum class Verdict {
    admitted,         // served as usual
    refused_address,  // its address holds its share: answered 429 and closed
    refused_total,    // the server holds all it may: answered 503 and closed
    dropped,          // so many are being refused that this one is closed unanswered
  };

  // refusing: connections being answered 429/503 at once; past it, dropped.
  ConnectionLimits(std::size_t total, std::size_t per_address, std::size_t refusing);

  // Counts the connection in (every verdict but dropped); release it with the same key.
  Verdict admit(const std::string& key);
  void release(Verdict verdict, const std::string& key);
  std::size_t admitted() const;

 private:
  std::size_t m_total_cap;
  std::size_t m_address_cap;
  std::size_t m_refusing_cap;
  mutable std::mutex m_mutex;
  std::size_t m_admitted = 0;
  std::size_t m_refusing = 0;
  std::unordered_map<std::string, std::size_t> m_by_address;
};

}  // namespace ia::http
