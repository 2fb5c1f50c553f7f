#include "providers/upstream_call.h"

#include <algorithm>
#include <utility>

namespace osprey::providers {
namespace {

// An error body read from a failed stream is only used for its message.
constexpr std::size_t kMaxErrorBody = 64 * 1024;

bool is_2xx(int status) { return status >= 200 && status <= 299; }

}  // namespace

nlohmann::json merge_options(const nlohmann::json& defaults, const nlohmann::json& overrides) {
  if (!defaults.is_object()) return overrides.is_object() ? overrides : nlohmann::json::object();
  nlohmann::json out = defaults;
  if (!overrides.is_object()) return out;
  for (auto it = overrides.begin(); it != overrides.end(); ++it) {
    auto existing = out.find(it.key());
    if (existing != out.end() && existing->is_object() && it.value().is_object()) {
      *existing = merge_options(*existing, it.value());
    } else {
      out[it.key()] = it.value();
    }
  }
  return out;
}

ChatRequest prepare_chat_request(const ChatRequest& request, const ProviderConfig& config,
                                 bool stream) {
  ChatRequest out = request;
  out.model = config.upstream_model;
  out.provider_options = merge_options(config.options, request.provider_options);
  out.stream = stream;
  return out;
}

std::string join_url(std::string_view base_url, std::string_view path) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  if (base_url.ends_with("/v1") && path.starts_with("/v1/")) path.remove_prefix(3);
  std::string out(base_url);
  out.append(path);
  return out;
}

RetryHints retry_hints(const net::Headers& headers) {
  return RetryHints{std::string(headers.get("retry-after")),
                    std::string(headers.get("retry-after-ms"))};
}

UpstreamError upstream_error_from_client(const Error& error) {
  UpstreamError e;
  e.code = error.code;
  e.message = error.message;
  const auto kind = net::client_error_kind(error);
  if (!kind) {
    e.retryable = false;
    return e;
  }
  switch (*kind) {
    case net::ClientErrorKind::kCancelled:
      e.code = ErrorCode::kClientClosed;
      e.retryable = false;
      break;
    case net::ClientErrorKind::kInvalidRequest:
      // A URL or header built from our own config: not the client's fault, and nothing was
      // sent, so another deployment may still serve the request.
      e.code = ErrorCode::kUpstreamError;
      e.retryable = true;
      break;
    case net::ClientErrorKind::kTimeoutConnect:
    case net::ClientErrorKind::kTimeoutFirstByte:
    case net::ClientErrorKind::kTimeoutIdle:
    case net::ClientErrorKind::kTimeoutTotal:
      e.code = ErrorCode::kUpstreamTimeout;
      e.retryable = true;
      break;
    case net::ClientErrorKind::kConnect:
    case net::ClientErrorKind::kTls:
    case net::ClientErrorKind::kCut:
    case net::ClientErrorKind::kMalformed:
      e.code = ErrorCode::kUpstreamError;
      e.retryable = true;
      break;
  }
  return e;
}

UpstreamError upstream_error_from(const Error& error) {
  UpstreamError e;
  e.code = error.code;
  e.message = error.message;
  return e;
}

net::TlsSettings tls_settings(const ProviderConfig& config) {
  return net::TlsSettings{config.verify_tls, config.ca_file};
}

namespace {

// make_client_request without the URL, which `url_text` only names in errors.
UpstreamResult<net::ClientRequest> make_request_for(const ProviderConfig& config,
                                                    const CallContext& ctx, std::string method,
                                                    std::string_view url_text, std::string body) {
  net::ClientRequest request;
  request.method = std::move(method);
  request.connect_timeout = config.connect_timeout;
  request.first_byte_timeout = config.first_byte_timeout;
  request.total_timeout = config.total_timeout;
  request.idle_read_timeout = config.idle_read_timeout;
  request.tls = tls_settings(config);
  if (ctx.deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        *ctx.deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      UpstreamError e;
      e.code = ErrorCode::kUpstreamTimeout;
      e.message = "deadline exceeded before calling " + std::string(url_text);
      return e;
    }
    request.connect_timeout = std::min(request.connect_timeout, left);
    request.first_byte_timeout = std::min(request.first_byte_timeout, left);
    request.total_timeout = std::min(request.total_timeout, left);
    request.idle_read_timeout = std::min(request.idle_read_timeout, left);
  }
  request.cancel = ctx.cancel;
  // The fields below plus the adapter's own (authorization, accept): one allocation.
  request.headers.reserve(config.headers.size() + 5);
  for (const auto& [name, value] : config.headers) request.headers.set(name, value);
  if (!ctx.request_id.empty()) request.headers.set("x-request-id", ctx.request_id);
  if (!body.empty()) request.headers.set("content-type", "application/json");
  request.headers.set("accept", "application/json");
  request.body = std::move(body);
  return request;
}

}  // namespace

UpstreamResult<net::ClientRequest> make_client_request(const ProviderConfig& config,
                                                       const CallContext& ctx, std::string method,
                                                       std::string url, std::string body) {
  auto request = make_request_for(config, ctx, std::move(method), url, std::move(body));
  if (request) request->url = std::move(url);
  return request;
}

FixedUrl::FixedUrl(std::string url) : text(std::move(url)) {
  if (auto parsed = net::make_endpoint(text)) endpoint = std::move(*parsed);
}

UpstreamResult<net::ClientRequest> make_client_request(const ProviderConfig& config,
                                                       const CallContext& ctx, std::string method,
                                                       const FixedUrl& url, std::string body) {
  auto request = make_request_for(config, ctx, std::move(method), url.text, std::move(body));
  if (!request) return request;
  if (url.endpoint) {
    request->endpoint = url.endpoint;
  } else {
    request->url = url.text;
  }
  return request;
}

net::Task<UpstreamResult<net::ClientResponse>> send_call(net::HttpClient& client,
                                                         net::ClientRequest request,
                                                         const ErrorParser& parse_error) {
  auto response = co_await client.send(std::move(request));
  if (!response) co_return upstream_error_from_client(response.error());
  if (!is_2xx(response->status)) {
    co_return parse_error(response->status, response->headers, response->body);
  }
  co_return std::move(*response);
}

net::Task<UpstreamResult<std::unique_ptr<net::ResponseStream>>> open_call(
    net::HttpClient& client, net::ClientRequest request, const ErrorParser& parse_error) {
  auto opened = co_await client.open(std::move(request));
  if (!opened) co_return upstream_error_from_client(opened.error());
  std::unique_ptr<net::ResponseStream> stream = std::move(*opened);
  if (is_2xx(stream->status())) co_return std::move(stream);
  std::string body;
  while (body.size() < kMaxErrorBody) {
    auto chunk = co_await stream->next();
    if (!chunk || !*chunk) break;  // the status already says it failed; keep what we have
    body += **chunk;
  }
  co_return parse_error(stream->status(), stream->headers(), body);
}

}  // namespace osprey::providers
