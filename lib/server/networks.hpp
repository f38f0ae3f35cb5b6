// Address ranges for [sched] legacy_networks: "127.0.0.0/8", "::1", "10.1.0.0/16". A
// peer matches a range of its own family; an IPv4 peer seen as ::ffff:a.b.c.d matches
// IPv4 ranges. Plain values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace ia::server {

struct Network {
  bool v6 = false;
  std::array<std::uint8_t, 16> address{};
  int prefix = 0;  // leading bits that must match
};

Result<Network> parse_network(std::string_view text);
Result<std::vector<Network>> parse_networks(const std::vector<std::string>& texts);
// 127.0.0.0/8 and ::1/128: the default for legacy_networks.
std::vector<Network> loopback_networks();
// Whether the peer address (as http::Request::remote holds it) is in any of networks.
bool in_networks(const std::vector<Network>& networks, std::string_view peer);

}  // namespace ia::server
