#pragma once
// One blocking HTTP call of a batch adapter to its vendor: the deployment's timeouts, extra
// headers and TLS setting (providers/upstream_call.h), sent with net::fetch from the driver's
// thread; a non-2xx answer becomes the vendor's error via `parse_error`. Thread-safe.
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

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

// vendor_call, then its answer's body as a JSON object (kUpstreamError naming `what`, e.g.
// "POST /v1/batches", otherwise).
Result<nlohmann::json> vendor_call_json(const providers::ProviderConfig& config, std::string method,
                                        std::string url, const net::Headers& headers,
                                        std::string body, const providers::ErrorParser& parse_error,
                                        std::string_view what);

// node[key] as a non-empty string; kUpstreamError "<what>: no <noun> in the answer" otherwise.
Result<std::string> required_string(const nlohmann::json& node, const char* key,
                                    std::string_view what, std::string_view noun);

// node[key] when it is a string, else "".
std::string string_field(const nlohmann::json& node, const char* key);

// Calls `line` for each non-blank line of a JSONL body (CR stripped); stops at the first error.
Status for_each_jsonl_line(std::string_view body,
                           const std::function<Status(std::string_view line)>& line);

}  // namespace osprey::batch
