#include "http/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/file.hpp"

namespace ia::http {
namespace {

namespace ssl = boost::asio::ssl;

constexpr const char* k_tls12_ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL";

Error pem_error(const std::string& what, const std::string& path, const std::string& why) {
  return make_error(ErrorCode::invalid_argument, what + " " + path + ": " + why,
                    "pass PEM files, e.g. made with 'openssl req -x509 -newkey rsa:2048 "
                    "-nodes -keyout key.pem -out cert.pem'");
}

Result<std::string> read_pem(const std::string& what, const std::string& path) {
  Result<std::string> text = read_file(path);
  if (!text) {
    return make_error(ErrorCode::invalid_argument, what + ": " + text.error().message,
                      "check --tls-cert and --tls-key ([sched] tls_cert, tls_key)");
  }
  return text;
}

}  // namespace

Result<std::unique_ptr<ssl::context>> load_tls_context(const std::string& cert_path,
                                                       const std::string& key_path) {
  if (cert_path.empty() != key_path.empty()) {
    std::string missing = cert_path.empty() ? "certificate (--tls-cert, [sched] tls_cert)"
                                            : "private key (--tls-key, [sched] tls_key)";
    return make_error(ErrorCode::invalid_argument, "TLS needs both a certificate and a key; the " +
                                                       missing + " is missing",
                      "give both --tls-cert and --tls-key, or neither for plain HTTP");
  }
  Result<std::string> cert = read_pem("TLS certificate", cert_path);
  IA_TRY(cert);
  Result<std::string> key = read_pem("TLS key", key_path);
  IA_TRY(key);
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  // TLS 1.2 only with forward secrecy (ECDHE) and an AEAD cipher: no RSA key exchange, no
  // CBC. TLS 1.3's suites are all of that kind and keep OpenSSL's defaults.
  if (SSL_CTX_set_cipher_list(context->native_handle(), k_tls12_ciphers) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::internal, "this OpenSSL has none of the TLS 1.2 ciphers " +
                                               std::string(k_tls12_ciphers),
                      "use OpenSSL 1.1.1 or later");
  }
  SSL_CTX_set_options(context->native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  // An encrypted key would make OpenSSL prompt on the terminal; refuse it instead.
  context->set_password_callback(
      [](std::size_t, ssl::context::password_purpose) { return std::string(); });
  boost::system::error_code ec;
  context->use_certificate_chain(boost::asio::buffer(*cert), ec);
  if (ec) {
    return pem_error("TLS certificate", cert_path,
                     "not a PEM certificate (" + ec.message() + ")");
  }
  context->use_private_key(boost::asio::buffer(*key), ssl::context::pem, ec);
  // OpenSSL checks the key against the certificate as it loads it.
  bool mismatch = ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
                            X509_R_KEY_VALUES_MISMATCH;
  if (ec && !mismatch) {
    return pem_error("TLS key", key_path,
                     "not an unencrypted PEM private key (" + ec.message() + ")");
  }
  if (mismatch || SSL_CTX_check_private_key(context->native_handle()) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::invalid_argument,
                      "TLS key " + key_path + " does not match the certificate " + cert_path,
                      "give the key the certificate was made for");
  }
  return context;
}

}  // namespace ia::http
