#include "http/client.hpp"

#include <curl/curl.h>

#include "api/errors.hpp"
#include "http/transport_error.hpp"

namespace ia::http {
namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

int check_interrupt(void* flag, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(flag)->load() ? 1 : 0;
}

Error transport_error(CURLcode code, const std::string& url, const char* detail) {
  std::string why = detail && *detail ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return unreachable_error(url, why);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return unresolved_error(url, why);
    case CURLE_OPERATION_TIMEDOUT:
      return timed_out_error(url);
    case CURLE_ABORTED_BY_CALLBACK:
      return interrupted_error(url);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
      return tls_error(url, why);
    default:
      return make_error(ErrorCode::unavailable, "request to " + url + " failed: " + why);
  }
}

// libcurl sends header lines as given: a CR or LF in a value would add headers of its
// own, and a NUL would cut the value short.
bool is_header_safe(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

}  // namespace

void global_init() {
  // curl_global_init is not thread safe; run it once per process.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Client::Client(ClientOptions options) : m_options(std::move(options)) {
  global_init();
  while (!m_options.base_url.empty() && m_options.base_url.back() == '/') {
    m_options.base_url.pop_back();
  }
}

Client::~Client() {
  for (void* handle : m_pool) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* Client::take_handle() {
  {
    std::lock_guard<std::mutex> lock(m_pool_mutex);
    if (!m_pool.empty()) {
      void* handle = m_pool.back();
      m_pool.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void Client::give_back(void* handle) {
  std::lock_guard<std::mutex> lock(m_pool_mutex);
  m_pool.push_back(handle);
}

Result<ClientResponse> Client::request(std::string_view method, std::string_view path,
                                       std::string_view body, Millis timeout) {
  if (!is_header_safe(m_options.token)) {
    return make_error(ErrorCode::invalid_argument,
                      "the token holds a line break or NUL byte, so it cannot be sent in a header",
                      "a token is one line of printable text");
  }
  CURL* curl = static_cast<CURL*>(take_handle());
  if (!curl) return make_error(ErrorCode::internal, "libcurl could not make a handle");
  // A reset handle keeps its live connections, so keep-alive survives between calls.
  curl_easy_reset(curl);
  std::string url = m_options.base_url + std::string(path);
  std::string verb(method);
  ClientResponse response;
  char detail[CURL_ERROR_SIZE] = {};
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  if (!m_options.token.empty()) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + m_options.token).c_str());
  }
  Millis limit = timeout.count() > 0 ? timeout : m_options.timeout;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(limit.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(m_options.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_interrupt);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &m_interrupted);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, m_options.verify_tls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, m_options.verify_tls ? 2L : 0L);
  if (!m_options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, m_options.ca_file.c_str());
  if (verb == "POST" || !body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, verb.c_str());
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  give_back(curl);
  if (code != CURLE_OK) return transport_error(code, m_options.base_url, detail);
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
