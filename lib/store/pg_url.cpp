#include "store/pg_url.hpp"

#include <libpq-fe.h>

#include <cctype>
#include <optional>
#include <string_view>

#include "core/strings.hpp"

namespace ia::store {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The key libpq would read (it decodes %XX in query keys), lower-cased; nullopt when an
// escape is malformed, which redaction treats as possibly secret.
std::optional<std::string> decoded_key(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// password, sslpassword and any spelling libpq may learn later: whatever names a pass.
bool secret_key(std::string_view key) {
  std::optional<std::string> name = decoded_key(key);
  return !name || name->find("pass") != std::string::npos ||
         name->find('\0') != std::string::npos;
}

// libpq takes "user:password@" up to the first '/' after the scheme; a password may hold
// an unescaped '@' or '?', so the last '@' before that '/' ends it. One that holds a '/'
// is no user part to libpq, but must not show in the error that says so: when the host
// part has a ':' and an '@' follows before the query, everything between goes too.
std::string without_user_password(const std::string& url) {
  std::size_t start = url.find("://");
  if (start == std::string::npos) return url;
  start += 3;
  std::size_t slash = url.find('/', start);
  std::size_t authority_end = slash == std::string::npos ? url.size() : slash;
  std::size_t colon = url.find(':', start);
  if (colon == std::string::npos || colon >= authority_end) return url;
  std::size_t at = url.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
  if (at == std::string::npos || at < colon) {
    std::size_t query = url.find('?', authority_end);
    at = url.rfind('@', query == std::string::npos ? url.size() - 1 : query);
    if (at == std::string::npos || at < authority_end) return url;
  }
  return url.substr(0, colon) + url.substr(at);
}

std::string without_query_password(const std::string& url) {
  std::size_t query = url.find('?');
  if (query == std::string::npos) return url;
  std::vector<std::string> kept;
  for (const std::string& param : split(std::string_view(url).substr(query + 1), '&')) {
    std::string_view key = std::string_view(param).substr(0, param.find('='));
    if (!secret_key(key)) kept.push_back(param);
  }
  std::string base = url.substr(0, query);
  return kept.empty() ? base : base + "?" + join(kept, "&");
}

// The raw text of every secret query parameter and of the user part's password: what
// must not show even inside libpq's own error message, which quotes what it rejects.
std::vector<std::string> secrets_in(const std::string& url) {
  std::vector<std::string> found;
  std::string without_user = without_user_password(url);
  if (without_user.size() < url.size()) {
    std::size_t colon = url.find(':', url.find("://") + 3);
    found.push_back(url.substr(colon + 1, url.size() - without_user.size() - 1));
  }
  std::size_t query = without_user.find('?');
  if (query == std::string::npos) return found;
  for (const std::string& param : split(std::string_view(without_user).substr(query + 1), '&')) {
    std::size_t equals = param.find('=');
    if (!secret_key(std::string_view(param).substr(0, equals))) continue;
    found.push_back(param);
    if (equals != std::string::npos && equals + 1 < param.size()) {
      found.push_back(param.substr(equals + 1));
    }
  }
  return found;
}

std::string scrubbed(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
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
  why = scrubbed(why, secrets_in(url));
  return make_error(ErrorCode::invalid_argument,
                    "store URL '" + redact_password(url) + "' is not understood: " + why,
                    "use postgresql://[user@]host[:port]/database or "
                    "postgresql:///database?host=/socket/dir");
}

}  // namespace ia::store
