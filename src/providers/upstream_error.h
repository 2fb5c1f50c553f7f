#pragma once
// UpstreamError and the ONE mapping from an upstream HTTP status to an Osprey ErrorCode, shared
// by every vendor codec so retries and client-visible codes behave the same for all providers.
// Pure functions; thread-safe.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace osprey::providers {

struct UpstreamError {
  ErrorCode code = ErrorCode::kUpstreamError;
  int http_status = 0;  // the upstream's status; 0 if none (e.g. an error event mid-stream)
  std::string message;
  std::optional<std::chrono::milliseconds> retry_after;
  bool retryable = false;

  Error to_error() const { return Error{code, message}; }
};

// Raw values of the response headers that carry retry hints (empty when absent).
struct RetryHints {
  std::string retry_after;     // "Retry-After": delay-seconds or an HTTP-date
  std::string retry_after_ms;  // "retry-after-ms" (OpenAI, Azure): milliseconds
};

// 400/422 → invalid_request; 401/403/404 → upstream_error; 408/504 → upstream_timeout
// (retryable); 429 → upstream_rate_limited (retryable); 5xx and 529 → upstream_error
// (retryable); anything else → upstream_error (not retryable).
UpstreamError upstream_error_from_status(
    int http_status, std::string message, const RetryHints& hints = {},
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// Parses a Retry-After value: non-negative delay-seconds or an IMF-fixdate HTTP-date (relative to
// `now`; a date in the past gives 0). Returns nullopt for anything else.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// An upstream answered 2xx but its body could not be understood.
UpstreamError malformed_upstream_body(std::string_view vendor, std::string_view detail);

// A short, single-line excerpt of a body for error messages.
std::string body_excerpt(std::string_view body);

}  // namespace osprey::providers
