#include "server/networks.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "core/strings.hpp"

namespace ia::server {
namespace {

// An address of either family, or nothing; a v4-mapped v6 address reads as v4.
bool parse_address(std::string_view text, Network& out) {
  std::string copy(text);
  out.address.fill(0);
  if (inet_pton(AF_INET, copy.c_str(), out.address.data()) == 1) {
    out.v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, copy.c_str(), out.address.data()) != 1) return false;
  static constexpr std::uint8_t k_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(out.address.data(), k_mapped, 12) == 0) {
    std::memmove(out.address.data(), out.address.data() + 12, 4);
    std::memset(out.address.data() + 4, 0, 12);
    out.v6 = false;
    return true;
  }
  out.v6 = true;
  return true;
}

bool contains(const Network& network, const Network& peer) {
  if (network.v6 != peer.v6) return false;
  int full = network.prefix / 8;
  if (std::memcmp(network.address.data(), peer.address.data(), full) != 0) return false;
  int rest = network.prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (network.address[full] & mask) == (peer.address[full] & mask);
}

}  // namespace

Result<Network> parse_network(std::string_view text) {
  auto bad = [&] {
    return make_error(ErrorCode::invalid_argument,
                      "legacy_networks: '" + std::string(text.substr(0, 64)) +
                          "' is not an address or ADDRESS/PREFIX",
                      "for example \"127.0.0.0/8\", \"::1\" or \"192.168.1.0/24\"");
  };
  std::size_t slash = text.find('/');
  Network network;
  if (!parse_address(trim(text.substr(0, slash)), network)) return bad();
  int max = network.v6 ? 128 : 32;
  network.prefix = max;
  if (slash != std::string_view::npos) {
    long long prefix = -1;
    if (!parse_int64(trim(text.substr(slash + 1)), prefix) || prefix < 0 || prefix > max) {
      return bad();
    }
    network.prefix = static_cast<int>(prefix);
  }
  return network;
}

Result<std::vector<Network>> parse_networks(const std::vector<std::string>& texts) {
  std::vector<Network> out;
  for (const std::string& text : texts) {
    Result<Network> network = parse_network(text);
    IA_TRY(network);
    out.push_back(*network);
  }
  return out;
}

std::vector<Network> loopback_networks() {
  return {*parse_network("127.0.0.0/8"), *parse_network("::1")};
}

bool in_networks(const std::vector<Network>& networks, std::string_view peer) {
  Network address;
  if (!parse_address(peer, address)) return false;
  for (const Network& network : networks) {
    if (contains(network, address)) return true;
  }
  return false;
}

}  // namespace ia::server
