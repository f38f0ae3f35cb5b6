#include "http/transport_error.hpp"

namespace ia::http {

Error unreachable_error(const std::string& url, const std::string& why) {
  return make_error(ErrorCode::unavailable, "cannot reach " + url + ": " + why,
                    "is ia-sched running? check --server or IA_SERVER");
}

Error unresolved_error(const std::string& url, const std::string& why) {
  return make_error(ErrorCode::unavailable, "cannot resolve " + url + ": " + why,
                    "check the host name in --server or IA_SERVER");
}

Error timed_out_error(const std::string& url) {
  return make_error(ErrorCode::timeout, "no answer from " + url + " in time",
                    "the server is slow or unreachable; raise [client] timeout");
}

Error interrupted_error(const std::string& url) {
  return make_error(ErrorCode::timeout, "request to " + url + " interrupted");
}

Error tls_error(const std::string& url, const std::string& why) {
  return make_error(ErrorCode::unavailable, "TLS with " + url + " failed: " + why,
                    "check the server's certificate; for a self-signed one name its CA "
                    "with --ca-file or IA_CA_FILE ([client] ca_file)");
}

}  // namespace ia::http
