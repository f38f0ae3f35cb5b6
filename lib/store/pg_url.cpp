#include "store/pg_url.hpp"

#include <libpq-fe.h>

#include <string_view>

#include "core/strings.hpp"

namespace ia::store {
namespace {

std::string without_user_password(const std::string& url) {
  std::size_t start = url.find("://");
  if (start == std::string::npos) return url;
  start += 3;
  std::size_t end = url.find_first_of("/?", start);
  if (end == std::string::npos) end = url.size();
  // A literal '@' in a password must be percent-encoded, so the last one ends the user part.
  std::size_t at = url.rfind('@', end);
  if (at == std::string::npos || at < start) return url;
  std::size_t colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + url.substr(at);
}

std::string without_query_password(const std::string& url) {
  std::size_t query = url.find('?');
  if (query == std::string::npos) return url;
  std::vector<std::string> kept;
  for (const std::string& param : split(std::string_view(url).substr(query + 1), '&')) {
    if (param.rfind("password=", 0) != 0) kept.push_back(param);
  }
  std::string base = url.substr(0, query);
  return kept.empty() ? base : base + "?" + join(kept, "&");
}

}  // namespace

std::string redact_password(const std::string& url) {
  return without_query_password(without_user_password(url));
}

Status check_pg_url(const std::string& url) {
  char* message = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &message);
  if (options) {
    PQconninfoFree(options);
    return {};
  }
  std::string why = message ? std::string(trim(message)) : "out of memory";
  PQfreemem(message);
  return make_error(ErrorCode::invalid_argument,
                    "store URL '" + redact_password(url) + "' is not understood: " + why,
                    "use postgresql://[user@]host[:port]/database or "
                    "postgresql:///database?host=/socket/dir");
}

}  // namespace ia::store
