#pragma once
// make_client_tls_context: the OpenSSL context every HTTPS connection of one HttpClient shares
// (TLS 1.2+, peer verification against the system CAs or a given PEM bundle, or none when
// verification is disabled for private endpoints). Built once; read-only and thread-safe after.
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "core/result.h"

namespace osprey::net {

// Fails with kConfigInvalid when `ca_file` cannot be loaded.
Result<std::unique_ptr<boost::asio::ssl::context>> make_client_tls_context(
    bool verify, const std::string& ca_file);

}  // namespace osprey::net
