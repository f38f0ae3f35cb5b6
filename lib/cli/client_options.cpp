#include "cli/client_options.hpp"

#include "core/file.hpp"
#include "core/strings.hpp"

namespace ia::cli {
namespace {

// A token is a line of text; the bound keeps a wrong path (/dev/zero) from filling memory.
constexpr std::size_t k_max_token_file_bytes = 64 << 10;

}  // namespace

std::vector<ConfigFlag> client_flags() {
  return {{"--server", "client.server", {}},
          {"--token", "client.token", {}},
          {"--token-file", "client.token_file", {}},
          {"--ca-file", "client.ca_file", {}}};
}

Result<http::ClientOptions> client_options(const config::Config& cfg) {
  http::ClientOptions options;
  options.base_url = cfg.string("client.server");
  if (!starts_with(options.base_url, "http://") && !starts_with(options.base_url, "https://")) {
    return make_error(ErrorCode::invalid_argument,
                      "server '" + options.base_url + "' (" + cfg.origin("client.server") +
                          ") is not an http:// or https:// URL",
                      "write it like http://127.0.0.1:8000");
  }
  options.timeout = cfg.duration("client.timeout");
  options.ca_file = cfg.string("client.ca_file");
  if (!options.ca_file.empty()) {
    // Checked here so that a typo reads as a missing file, not as a TLS failure.
    if (Result<std::string> ca = read_file(options.ca_file); !ca) {
      Error error = std::move(ca).error();
      error.code = ErrorCode::invalid_argument;
      error.hint = "check --ca-file or IA_CA_FILE (" + cfg.origin("client.ca_file") + ")";
      return error;
    }
  }
  options.token = cfg.string("client.token");
  const std::string& token_file = cfg.string("client.token_file");
  if (options.token.empty() && !token_file.empty()) {
    Result<std::string> token = read_file(token_file, k_max_token_file_bytes);
    if (!token) {
      Error error = std::move(token).error();
      error.hint = "check --token-file or IA_TOKEN_FILE (" + cfg.origin("client.token_file") + ")";
      return error;
    }
    options.token = std::string(trim(*token));
  }
  return options;
}

}  // namespace ia::cli
