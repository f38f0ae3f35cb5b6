#include "server/browser_guard.hpp"

#include <arpa/inet.h>

#include "core/strings.hpp"

namespace ia::server {
namespace {

// "example.com:8000" -> "example.com"; "[::1]:8000" -> "::1".
std::string host_name(std::string_view host) {
  host = trim(host);
  if (!host.empty() && host.front() == '[') {
    std::size_t close = host.find(']');
    return std::string(host.substr(1, close == std::string_view::npos ? host.npos : close - 1));
  }
  return std::string(host.substr(0, host.find(':')));
}

bool is_address(const std::string& name) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, name.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

Error refused(std::string message, std::string hint) {
  return make_error(ErrorCode::forbidden, std::move(message), std::move(hint));
}

Status check_content_type(const http::Request& request) {
  if (request.body.empty()) return {};
  std::string_view type = request.header("content-type");
  std::string media = to_lower(trim(type.substr(0, type.find(';'))));
  if (media == "application/json") return {};
  return make_error(ErrorCode::invalid_argument,
                    "Content-Type must be application/json, not '" +
                        std::string(type.substr(0, 64)) + "'",
                    "send the body as JSON with Content-Type: application/json");
}

Status check_origin(const http::Request& request) {
  std::string_view origin = request.header("origin");
  if (origin.empty()) return {};  // not a browser, or a same-origin GET
  std::size_t scheme = origin.find("://");
  std::string from = scheme == std::string_view::npos
                         ? std::string()
                         : to_lower(origin.substr(scheme + 3));
  if (!from.empty() && from == to_lower(trim(request.header("host")))) return {};
  return refused("Origin '" + std::string(origin.substr(0, 128)) +
                     "' is not this server; requests from other web pages are refused",
                 "call ia-sched from its clients or from a page it serves");
}

Status check_host(const http::Request& request) {
  std::string_view host = request.header("host");
  if (host.empty()) return {};  // HTTP/1.0: no name for a page to rebind
  std::string name = to_lower(host_name(host));
  if (name == "localhost" || is_address(name)) return {};
  return refused("Host '" + std::string(host.substr(0, 128)) +
                     "' is refused to callers without a token",
                 "in open modes (--insecure, legacy_open) reach ia-sched by IP address or "
                 "localhost, or send a token");
}

}  // namespace

Status check_browser(const http::Request& request, bool tokenless) {
  IA_TRY(check_content_type(request));
  IA_TRY(check_origin(request));
  if (tokenless) IA_TRY(check_host(request));
  return {};
}

}  // namespace ia::server
