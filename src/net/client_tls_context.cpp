#include "net/client_tls_context.h"

#include <boost/system/system_error.hpp>

namespace osprey::net {
namespace ssl = boost::asio::ssl;

Result<std::unique_ptr<ssl::context>> make_client_tls_context(bool verify,
                                                              const std::string& ca_file) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1,
                       ec);
  if (!verify) {
    context->set_verify_mode(ssl::verify_none, ec);
    return context;
  }
  context->set_verify_mode(ssl::verify_peer, ec);
  if (ca_file.empty()) {
    context->set_default_verify_paths(ec);
    if (ec) {
      return make_error(ErrorCode::kConfigInvalid,
                        "cannot load the system CA certificates: " + ec.message());
    }
  } else {
    context->load_verify_file(ca_file, ec);
    if (ec) {
      return make_error(ErrorCode::kConfigInvalid,
                        "cannot load CA file '" + ca_file + "': " + ec.message());
    }
  }
  return context;
}

}  // namespace osprey::net
