#include "core/error.h"

#include <array>

namespace osprey {
namespace {

constexpr std::array<ErrorInfo, kErrorCodeCount> kTable = {{
    {"invalid_request", 400, LogLevel::kInfo, "invalid_request_error"},
    {"malformed_http", 400, LogLevel::kInfo, "invalid_request_error"},
    {"unauthorized", 401, LogLevel::kInfo, "authentication_error"},
    {"forbidden", 403, LogLevel::kInfo, "permission_error"},
    {"not_found", 404, LogLevel::kInfo, "invalid_request_error"},
    {"method_not_allowed", 405, LogLevel::kInfo, "invalid_request_error"},
    {"request_timeout", 408, LogLevel::kInfo, "invalid_request_error"},
    {"conflict", 409, LogLevel::kInfo, "invalid_request_error"},
    {"payload_too_large", 413, LogLevel::kInfo, "invalid_request_error"},
    {"unsupported_media_type", 415, LogLevel::kInfo, "invalid_request_error"},
    {"headers_too_large", 431, LogLevel::kInfo, "invalid_request_error"},
    {"rate_limited", 429, LogLevel::kInfo, "rate_limit_error"},
    {"budget_exceeded", 429, LogLevel::kWarn, "insufficient_quota"},
    {"queue_full", 429, LogLevel::kWarn, "rate_limit_error"},
    {"internal_error", 500, LogLevel::kError, "server_error"},
    {"store_error", 500, LogLevel::kError, "server_error"},
    {"not_implemented", 501, LogLevel::kWarn, "server_error"},
    {"upstream_error", 502, LogLevel::kWarn, "server_error"},
    {"unavailable", 503, LogLevel::kWarn, "server_error"},
    {"queue_timeout", 503, LogLevel::kWarn, "server_error"},
    {"no_healthy_upstream", 503, LogLevel::kError, "server_error"},
    {"upstream_timeout", 504, LogLevel::kWarn, "server_error"},
    {"upstream_rate_limited", 429, LogLevel::kWarn, "rate_limit_error"},
    {"insufficient_storage", 507, LogLevel::kError, "server_error"},
    {"client_closed", 499, LogLevel::kInfo, "invalid_request_error"},
    {"config_invalid", 500, LogLevel::kError, "server_error"},
    {"content_denied", 400, LogLevel::kInfo, "invalid_request_error"},
}};

}  // namespace

const ErrorInfo& error_info(ErrorCode code) { return kTable[static_cast<std::size_t>(code)]; }

bool parse_error_code(std::string_view name, ErrorCode* out) {
  for (int i = 0; i < kErrorCodeCount; ++i) {
    if (kTable[i].name == name) {
      *out = static_cast<ErrorCode>(i);
      return true;
    }
  }
  return false;
}

}  // namespace osprey
