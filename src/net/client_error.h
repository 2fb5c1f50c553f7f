#pragma once
// ClientErrorKind: why an HttpClient call failed, finer than ErrorCode. Callers need it to decide
// whether a retry is safe: kConnect, kTls and kTimeoutConnect mean no request byte reached the
// upstream. HttpClient builds every error with make_client_error, and client_error_kind reads the
// kind back from the Error (the message starts with a fixed phrase per kind, listed in
// client_error.cpp). Pure functions; thread-safe.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.h"

namespace osprey::net {

enum class ClientErrorKind : std::uint8_t {
  kInvalidRequest,    // kInvalidRequest: bad URL, method or header; nothing was sent
  kConnect,           // kUpstreamError: DNS failure or connection refused; nothing was sent
  kTls,               // kUpstreamError: TLS handshake or certificate check failed; nothing sent
  kTimeoutConnect,    // kUpstreamTimeout: DNS + TCP connect + TLS handshake too slow
  kTimeoutFirstByte,  // kUpstreamTimeout: request sent, no response headers in time
  kTimeoutIdle,       // kUpstreamTimeout: gap between two body reads too long
  kTimeoutTotal,      // kUpstreamTimeout: the whole exchange (incl. waiting for a pooled slot)
  kCut,               // kUpstreamError: connection lost after the request started
  kMalformed,         // kUpstreamError: not valid HTTP/1.1, or over a size limit
  kCancelled,         // kClientClosed: the request's CancelToken fired
};

// Builds the Error for `kind`; `authority` is "host:port" and `detail` says what happened.
// Example: kConnect → {kUpstreamError, "connect to host:port failed: <detail>"}.
Error make_client_error(ClientErrorKind kind, std::string_view authority, std::string_view detail);

// The kind of an Error built by make_client_error; nullopt for any other Error.
std::optional<ClientErrorKind> client_error_kind(const Error& error);

// True when the failure happened before any request byte could reach the upstream.
inline bool nothing_sent(ClientErrorKind kind) {
  return kind == ClientErrorKind::kInvalidRequest || kind == ClientErrorKind::kConnect ||
         kind == ClientErrorKind::kTls || kind == ClientErrorKind::kTimeoutConnect;
}

}  // namespace osprey::net
