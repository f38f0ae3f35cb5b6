// The server's TLS context from a PEM certificate chain and key (internal to
// lib/http: only server.cpp includes it). Loading checks that the key matches.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace ia::http {

// A TLS 1.2+ server context, or an error naming the file and what is wrong with it.
Result<std::unique_ptr<boost::asio::ssl::context>> load_tls_context(const std::string& cert_path,
                                                                     const std::string& key_path);

}  // namespace ia::http
