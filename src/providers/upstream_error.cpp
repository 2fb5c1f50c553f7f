#include "providers/upstream_error.h"

#include <charconv>
#include <cstdint>
#include <ctime>

#include "net/http_whitespace.h"

namespace osprey::providers {
namespace {

std::optional<std::int64_t> parse_non_negative(std::string_view s) {
  s = net::trim_ows(s);
  if (s.empty()) return std::nullopt;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// IMF-fixdate only ("Sun, 06 Nov 1994 08:49:37 GMT"), the form RFC 9110 requires senders to use.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view s) {
  s = net::trim_ows(s);
  std::tm tm{};
  std::string copy(s);
  const char* end = strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  if (auto seconds = parse_non_negative(value)) {
    // Cap absurd values so the multiplication cannot overflow.
    return std::chrono::milliseconds(std::min<std::int64_t>(*seconds, 86400 * 365) * 1000);
  }
  if (auto date = parse_http_date(value)) {
    auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(*date - now);
    return delta.count() > 0 ? delta : std::chrono::milliseconds(0);
  }
  return std::nullopt;
}

UpstreamError upstream_error_from_status(int http_status, std::string message,
                                         const RetryHints& hints,
                                         std::chrono::system_clock::time_point now) {
  UpstreamError e;
  e.http_status = http_status;
  e.message = std::move(message);
  if (http_status == 400 || http_status == 422) {
    e.code = ErrorCode::kInvalidRequest;
  } else if (http_status == 408 || http_status == 504) {
    e.code = ErrorCode::kUpstreamTimeout;
    e.retryable = true;
  } else if (http_status == 429) {
    e.code = ErrorCode::kUpstreamRateLimited;
    e.retryable = true;
  } else if (http_status >= 500 && http_status <= 599) {
    e.code = ErrorCode::kUpstreamError;
    e.retryable = true;
  } else {
    e.code = ErrorCode::kUpstreamError;  // 401, 403, 404 and anything unexpected
  }
  // retry-after-ms is more precise, so it wins when both are present.
  if (auto ms = parse_non_negative(hints.retry_after_ms)) {
    e.retry_after = std::chrono::milliseconds(*ms);
  } else if (!hints.retry_after.empty()) {
    e.retry_after = parse_retry_after(hints.retry_after, now);
  }
  return e;
}

UpstreamError malformed_upstream_body(std::string_view vendor, std::string_view detail) {
  UpstreamError e;
  e.code = ErrorCode::kUpstreamError;
  e.message = std::string(vendor) + " returned a malformed body: " + std::string(detail);
  return e;
}

std::string body_excerpt(std::string_view body) {
  constexpr std::size_t kMax = 200;
  std::string out;
  for (char c : body.substr(0, kMax)) out += (c == '\n' || c == '\r') ? ' ' : c;
  if (body.size() > kMax) out += "...";
  return out;
}

}  // namespace osprey::providers
