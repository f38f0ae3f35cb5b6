// Who is calling (DESIGN.md §6): the holder of a token, by its role, or a caller without
// one (open modes only), which is a kind of its own: never admin, never a token's name.
// The route table (routes.hpp) says which kinds may call each route. Plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ia::server {

// A token's role, as stored.
enum class Role { admin, client, node };
std::string_view to_string(Role role);
Result<Role> parse_role(std::string_view text);

enum class Kind : std::uint8_t { tokenless, admin, client, node };

struct Principal {
  Kind kind = Kind::tokenless;
  std::string name;  // the token's name; empty for a tokenless caller

  static Principal tokenless() { return {}; }
  static Principal of_token(std::string name, Role role);
  bool is(Kind wanted) const { return kind == wanted; }
};

// The owner recorded on tasks a tokenless caller submits; no token may take this name.
inline constexpr std::string_view k_tokenless_owner = "anonymous";

// The name tasks and nodes are recorded under: the token's, or k_tokenless_owner.
std::string_view owner_name(const Principal& who);
std::string_view describe(const Principal& who);  // "client token 'alice'", for errors

// Token names show in tables, logs and task owners: 1 to 64 of [A-Za-z0-9._-], starting
// with a letter or digit, and not a reserved name ("anonymous").
Status check_token_name(std::string_view name);

}  // namespace ia::server
