#include "batch/vendor_call.h"

#include "net/blocking_client.h"

namespace osprey::batch {

Result<net::ClientResponse> vendor_call(const providers::ProviderConfig& config, std::string method,
                                        std::string url, const net::Headers& headers,
                                        std::string body,
                                        const providers::ErrorParser& parse_error) {
  auto request = providers::make_client_request(config, providers::CallContext{}, std::move(method),
                                                std::move(url), std::move(body));
  if (!request) return request.error().to_error();
  for (const auto& [name, value] : headers.fields()) request->headers.set(name, value);
  net::ClientOptions options;
  options.verify_tls = config.verify_tls;
  options.max_response_body_bytes = 512ull * 1024 * 1024;  // batch results files
  auto response = net::fetch(std::move(request.value()), options);
  if (!response) return providers::upstream_error_from_client(response.error()).to_error();
  if (response->status < 200 || response->status > 299) {
    return parse_error(response->status, response->headers, response->body).to_error();
  }
  return response;
}

}  // namespace osprey::batch
