#pragma once
// One blocking HTTP call of a batch adapter to its vendor: the deployment's timeouts, extra
// headers and TLS setting (providers/upstream_call.h), sent with net::fetch from the driver's
// thread; a non-2xx answer becomes the vendor's error via `parse_error`. Thread-safe.
#include <string>

#include "core/result.h"
#include "net/http_client.h"
#include "providers/provider.h"
#include "providers/upstream_call.h"

namespace osprey::batch {

// `url` is absolute; `headers` are added after the deployment's own.
Result<net::ClientResponse> vendor_call(const providers::ProviderConfig& config, std::string method,
                                        std::string url, const net::Headers& headers,
                                        std::string body,
                                        const providers::ErrorParser& parse_error);

}  // namespace osprey::batch
