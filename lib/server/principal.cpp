#include "server/principal.hpp"

#include <array>

#include "core/strings.hpp"

namespace ia::server {
namespace {

// Names with a meaning of their own: the tokenless owner, and the words a reader of a
// task's owner would take for "nobody".
constexpr std::array<std::string_view, 4> k_reserved{k_tokenless_owner, "tokenless", "none",
                                                      "nobody"};

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '-';
}

}  // namespace

std::string_view to_string(Role role) {
  switch (role) {
    case Role::admin: return "admin";
    case Role::client: return "client";
    case Role::node: return "node";
  }
  return "client";
}

Result<Role> parse_role(std::string_view text) {
  if (text == "admin") return Role::admin;
  if (text == "client") return Role::client;
  if (text == "node") return Role::node;
  return make_error(ErrorCode::invalid_argument, "unknown role '" + std::string(text) + "'",
                    "roles are admin, client and node");
}

Principal Principal::of_token(std::string name, Role role) {
  Kind kind = role == Role::admin ? Kind::admin : role == Role::client ? Kind::client : Kind::node;
  return Principal{kind, std::move(name)};
}

std::string_view owner_name(const Principal& who) {
  return who.is(Kind::tokenless) ? k_tokenless_owner : std::string_view(who.name);
}

std::string_view describe(const Principal& who) {
  switch (who.kind) {
    case Kind::tokenless: return "a caller without a token";
    case Kind::admin: return "an admin token";
    case Kind::client: return "a client token";
    case Kind::node: return "a node token";
  }
  return "a caller";
}

Status check_token_name(std::string_view name) {
  auto bad = [&](std::string why) {
    return make_error(ErrorCode::invalid_argument,
                      "token name '" + std::string(name.substr(0, 64)) + "' " + why,
                      "use 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit");
  };
  if (name.empty() || name.size() > 64) return bad("must be 1 to 64 characters");
  for (char c : name) {
    if (!name_char(c)) return bad("holds a character other than A-Z a-z 0-9 . _ -");
  }
  if (name[0] == '.' || name[0] == '_' || name[0] == '-') {
    return bad("must start with a letter or digit");
  }
  std::string lower = to_lower(name);
  for (std::string_view reserved : k_reserved) {
    if (lower == reserved) {
      return make_error(ErrorCode::invalid_argument,
                        "token name '" + std::string(name) + "' is reserved",
                        "'anonymous' owns what callers without a token submit; pick another "
                        "--name");
    }
  }
  return {};
}

}  // namespace ia::server
