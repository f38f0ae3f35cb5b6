#include "http/client.hpp"

#include <curl/curl.h>

#include <mutex>

#include "api/errors.hpp"

namespace ia::http {
namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// curl_global_init is not thread safe; run it once per process.
void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Error transport_error(CURLcode code, const std::string& url, const char* detail) {
  std::string why = detail && *detail ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      return make_error(ErrorCode::unavailable, "cannot connect to " + url + ": " + why,
                        "is ia-sched running? check --server / IA_SERVER");
    case CURLE_COULDNT_RESOLVE_HOST:
      return make_error(ErrorCode::unavailable, "cannot resolve " + url + ": " + why,
                        "check the host name in --server / IA_SERVER");
    case CURLE_OPERATION_TIMEDOUT:
      return make_error(ErrorCode::timeout, "request to " + url + " timed out",
                        "the server is slow or unreachable; raise [client] timeout");
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
      return make_error(ErrorCode::unavailable, "TLS with " + url + " failed: " + why,
                        "check the server's certificate");
    default:
      return make_error(ErrorCode::unavailable, "request to " + url + " failed: " + why);
  }
}

}  // namespace

struct Client::Impl {
  ClientOptions options;
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
};

Client::Client(ClientOptions options) : m_impl(std::make_unique<Impl>()) {
  global_init();
  m_impl->options = std::move(options);
  m_impl->curl = curl_easy_init();
  m_impl->headers = curl_slist_append(nullptr, "Content-Type: application/json");
  m_impl->headers = curl_slist_append(m_impl->headers, "Expect:");
  if (!m_impl->options.token.empty()) {
    std::string auth = "Authorization: Bearer " + m_impl->options.token;
    m_impl->headers = curl_slist_append(m_impl->headers, auth.c_str());
  }
}

Client::~Client() {
  curl_slist_free_all(m_impl->headers);
  curl_easy_cleanup(m_impl->curl);
}

Result<ClientResponse> Client::request(std::string_view method, std::string_view path,
                                       std::string_view body, Millis timeout) {
  CURL* curl = m_impl->curl;
  if (!curl) return make_error(ErrorCode::internal, "libcurl failed to initialise");
  std::string url = m_impl->options.base_url + std::string(path);
  std::string method_text(method);
  ClientResponse response;
  char detail[CURL_ERROR_SIZE] = {};
  Millis limit = timeout.count() > 0 ? timeout : m_impl->options.timeout;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, m_impl->headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(limit.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(m_impl->options.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, m_impl->options.verify_tls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, m_impl->options.verify_tls ? 2L : 0L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
  if (method == "POST" || !body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else {
    // HTTPGET clears a POST left on the reused handle; the custom verb then applies.
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  }
  CURLcode code = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (code != CURLE_OK) return transport_error(code, url, detail);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

Result<std::string> Client::call(std::string_view method, std::string_view path,
                                 std::string_view body, Millis timeout) {
  Result<ClientResponse> response = request(method, path, body, timeout);
  IA_TRY(response);
  if (response->status >= 200 && response->status < 300) return std::move(response->body);
  return api::error_from_body(response->status, response->body);
}

}  // namespace ia::http
