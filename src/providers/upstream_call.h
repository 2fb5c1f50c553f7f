#pragma once
// The plumbing every HTTP adapter shares for one upstream call: preparing the normalized request
// (upstream model, merged provider options), building the net::ClientRequest (timeouts bounded
// by the caller's deadline, cancel token, request id, extra headers), sending it, and mapping
// HTTP client failures and non-2xx answers to UpstreamError. Free functions; thread-safe.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "net/http_client.h"
#include "providers/provider.h"
#include "providers/upstream_result.h"

namespace osprey::providers {

// Maps a non-2xx answer (status, headers, body) to the vendor's UpstreamError.
using ErrorParser =
    std::function<UpstreamError(int status, const net::Headers& headers, std::string_view body)>;

// `overrides` wins key by key; nested objects are merged recursively.
nlohmann::json merge_options(const nlohmann::json& defaults, const nlohmann::json& overrides);

// A copy of `request` with model = config.upstream_model, provider_options = config.options
// merged under the request's own, and `stream` set.
ChatRequest prepare_chat_request(const ChatRequest& request, const ProviderConfig& config,
                                 bool stream);

// base_url without trailing '/', joined with `path` (which starts with '/'). When base_url
// already ends with "/v1" and path starts with "/v1/", the duplicate "/v1" is dropped.
std::string join_url(std::string_view base_url, std::string_view path);

// Retry-After and retry-after-ms of a response.
RetryHints retry_hints(const net::Headers& headers);

// A client failure as the router needs it: connect/TLS failures (nothing sent) and timeouts
// are retryable, a cancel is kClientClosed (not retryable), a cut or malformed answer is a
// retryable kUpstreamError (callers mark it not retryable once stream events were delivered).
UpstreamError upstream_error_from_client(const Error& error);

// An Error from a codec (e.g. a malformed 2xx body, a request the vendor cannot express) as an
// UpstreamError with the same code and message; not retryable.
UpstreamError upstream_error_from(const Error& error);

// The deployment's certificate check (verify_tls, ca_file) as the HTTP client takes it.
net::TlsSettings tls_settings(const ProviderConfig& config);

// A ClientRequest carrying the config's TLS settings, timeouts (each bounded by ctx.deadline),
// extra headers, `x-request-id` and the cancel token. Fails with kUpstreamTimeout when the deadline
// passed.
UpstreamResult<net::ClientRequest> make_client_request(const ProviderConfig& config,
                                                       const CallContext& ctx, std::string method,
                                                       std::string url, std::string body);

// An adapter's fixed URL (its chat URL), parsed once so that every request to it shares the
// net::Endpoint instead of parsing it again; one that does not parse keeps only its text, and
// each call's client then reports why.
struct FixedUrl {
  explicit FixedUrl(std::string url);
  std::string text;
  std::shared_ptr<const net::Endpoint> endpoint;  // null when `text` does not parse
};
// make_client_request for a FixedUrl.
UpstreamResult<net::ClientRequest> make_client_request(const ProviderConfig& config,
                                                       const CallContext& ctx, std::string method,
                                                       const FixedUrl& url, std::string body);

// Sends and reads the whole answer; a non-2xx status becomes parse_error's UpstreamError.
net::Task<UpstreamResult<net::ClientResponse>> send_call(net::HttpClient& client,
                                                         net::ClientRequest request,
                                                         const ErrorParser& parse_error);

// Opens a streaming answer; a non-2xx status is read whole (bounded) and parsed as above.
net::Task<UpstreamResult<std::unique_ptr<net::ResponseStream>>> open_call(
    net::HttpClient& client, net::ClientRequest request, const ErrorParser& parse_error);

}  // namespace osprey::providers
