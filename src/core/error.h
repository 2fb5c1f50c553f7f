#pragma once
// The one error taxonomy of Osprey: every failure that crosses a module boundary carries an
// ErrorCode, and the same code decides the HTTP status, the log level and the metric label.
#include <cstdint>
#include <string>
#include <string_view>

namespace osprey {

enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarn, kError };

// Stable codes. The string form (code_name) is part of the public API: clients match on it,
// dashboards group by it. Append new codes; never rename or reuse one.
enum class ErrorCode : std::uint8_t {
  kInvalidRequest,        // 400 the body or parameters are wrong
  kMalformedHttp,         // 400 the bytes are not HTTP/1.1
  kUnauthorized,          // 401 missing or invalid credentials
  kForbidden,             // 403 authenticated but not allowed
  kNotFound,              // 404 no such route or resource
  kMethodNotAllowed,      // 405 route exists, method does not
  kRequestTimeout,        // 408 client too slow sending headers or body
  kConflict,              // 409 state conflict (e.g. idempotency key reuse)
  kPayloadTooLarge,       // 413 body over the configured limit
  kUnsupportedMediaType,  // 415 wrong content type
  kHeadersTooLarge,       // 431 header block over the configured limit
  kRateLimited,           // 429 a per-key limit was hit
  kBudgetExceeded,        // 429 the tenant's spend limit was hit
  kQueueFull,             // 429 admission queue full
  kInternal,              // 500 a bug or an unexpected state
  kStoreError,            // 500 the durable store failed
  kNotImplemented,        // 501 known but not built
  kUpstreamError,         // 502 the model provider answered with an error
  kUnavailable,           // 503 temporarily unable (draining, not ready)
  kQueueTimeout,          // 503 waited too long for admission
  kNoHealthyUpstream,     // 503 every deployment is down or ejected
  kUpstreamTimeout,       // 504 the model provider did not answer in time
  kUpstreamRateLimited,   // 429 the model provider rate-limited us
  kInsufficientStorage,   // 507 free disk below the configured floor
  kClientClosed,          // 499 the client went away
  kConfigInvalid,         // startup only: the configuration is wrong
  kContentDenied,         // 400 the prompt matched a configured deny rule
};

struct ErrorInfo {
  std::string_view name;         // stable code string, e.g. "payload_too_large"
  int http_status;               // status returned to clients
  LogLevel log_level;            // level used when the error is logged
  std::string_view openai_type;  // OpenAI error "type" for /v1 routes
};

const ErrorInfo& error_info(ErrorCode code);
inline std::string_view code_name(ErrorCode code) { return error_info(code).name; }
inline int http_status(ErrorCode code) { return error_info(code).http_status; }

// Looks up a code by its stable name; returns false if unknown.
bool parse_error_code(std::string_view name, ErrorCode* out);

// Number of codes, for tests that walk the whole table.
inline constexpr int kErrorCodeCount = static_cast<int>(ErrorCode::kContentDenied) + 1;

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // The request field at fault, e.g. "messages[1].role" (OpenAI's error "param"); empty if none.
  std::string param;
};

}  // namespace osprey
