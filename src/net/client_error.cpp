#include "net/client_error.h"

#include <array>
#include <string>

namespace osprey::net {
namespace {

struct KindInfo {
  ClientErrorKind kind;
  ErrorCode code;
  std::string_view head;  // message prefix, unique per kind (client_error_kind matches on it)
  std::string_view tail;  // between the authority and the detail
};

constexpr std::array<KindInfo, 10> kKinds{{
    {ClientErrorKind::kInvalidRequest, ErrorCode::kInvalidRequest, "invalid request to ", ": "},
    {ClientErrorKind::kConnect, ErrorCode::kUpstreamError, "connect to ", " failed: "},
    {ClientErrorKind::kTls, ErrorCode::kUpstreamError, "TLS handshake with ", " failed: "},
    {ClientErrorKind::kTimeoutConnect, ErrorCode::kUpstreamTimeout, "timed out connecting to ",
     ": "},
    {ClientErrorKind::kTimeoutFirstByte, ErrorCode::kUpstreamTimeout,
     "timed out waiting for response headers from ", ": "},
    {ClientErrorKind::kTimeoutIdle, ErrorCode::kUpstreamTimeout,
     "timed out waiting for body data from ", ": "},
    {ClientErrorKind::kTimeoutTotal, ErrorCode::kUpstreamTimeout,
     "total timeout exceeded talking to ", ": "},
    {ClientErrorKind::kCut, ErrorCode::kUpstreamError, "connection to ", " lost: "},
    {ClientErrorKind::kMalformed, ErrorCode::kUpstreamError, "malformed response from ", ": "},
    {ClientErrorKind::kCancelled, ErrorCode::kClientClosed, "request to ", " cancelled: "},
}};

}  // namespace

Error make_client_error(ClientErrorKind kind, std::string_view authority, std::string_view detail) {
  for (const KindInfo& info : kKinds) {
    if (info.kind != kind) continue;
    std::string message(info.head);
    message.append(authority).append(info.tail).append(detail);
    return make_error(info.code, std::move(message));
  }
  return make_error(ErrorCode::kInternal, "unknown client error kind");
}

std::optional<ClientErrorKind> client_error_kind(const Error& error) {
  for (const KindInfo& info : kKinds) {
    if (error.code == info.code && error.message.starts_with(info.head)) return info.kind;
  }
  return std::nullopt;
}

}  // namespace osprey::net
