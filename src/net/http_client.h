#pragma once
// HttpClient: the outbound HTTP/1.1 client every provider adapter shares. Keeps a keep-alive
// pool per (scheme, host, port) and TLS settings, speaks TLS with certificate and host name
// verification (or none, per request, for private endpoints),
// enforces connect / first-byte / idle-read / total timeouts, and stops promptly when the
// request's CancelToken fires. Any HTTP status is a success here: the status is data.
//
// Thread-safe: one client per process is typical, shared by all I/O threads. Each call runs on
// the executor of the awaiting coroutine (no threads of its own). Pooled connections are reused
// only by coroutines of the io_context that opened them. Cancellation is delivered by posting
// to that executor, so callers should run on a strand or a single-threaded io_context (as the
// server's connection coroutines do). Destroy the client before the io_contexts it ran on: its
// pool holds sockets registered with them.
//
// Errors are built by make_client_error (net/client_error.h): client_error_kind(error) tells a
// connect failure (nothing sent, safe to retry elsewhere) from a timeout, a cut or a cancel.
#include <chrono>
#include <compare>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "net/cancel_token.h"
#include "net/client_error.h"
#include "net/endpoint.h"
#include "net/headers.h"
#include "net/task.h"

namespace osprey::net {

// How an https request checks the upstream's certificate.
struct TlsSettings {
  bool verify = true;   // false: no certificate or host name check (private endpoints only)
  std::string ca_file;  // PEM bundle to trust instead of the system CAs; empty = system CAs
  auto operator<=>(const TlsSettings&) const = default;
};

struct ClientOptions {
  std::size_t max_connections_per_host = 64;  // per upstream and TLS settings
  std::chrono::milliseconds pool_idle_timeout{30000};
  // The TLS settings of requests that carry none (ClientRequest::tls unset).
  bool verify_tls = true;
  std::string ca_file;
  std::size_t max_response_body_bytes = 64 * 1024 * 1024;  // send() only; streams are unbounded
  std::size_t max_response_header_bytes = 64 * 1024;
};

struct ClientRequest {
  std::string method = "POST";
  std::string url;
  // The URL parsed ahead (make_endpoint), for callers that send many requests to one URL; when
  // set, it is the request's URL and `url` is not read.
  std::shared_ptr<const Endpoint> endpoint;
  Headers headers;  // Host and Content-Length are set by the client
  std::string body;
  std::chrono::milliseconds connect_timeout{5000};      // DNS + TCP + TLS handshake
  std::chrono::milliseconds first_byte_timeout{60000};  // request sent → response headers
  std::chrono::milliseconds total_timeout{300000};      // whole exchange incl. body/stream
  std::chrono::milliseconds idle_read_timeout{60000};   // max gap between two body reads
  std::shared_ptr<CancelToken> cancel;                  // optional
  // This request's certificate check; unset = the client's ClientOptions. Connections opened
  // with different settings are pooled apart, so a verified one is never reused unverified.
  std::optional<TlsSettings> tls;
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

// A response whose body is read incrementally (SSE, NDJSON, AWS event-stream). Owned by the
// caller and used from one coroutine at a time. Reading to the end returns the connection to the
// pool; destroying the stream earlier closes it.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual int status() const = 0;
  virtual const Headers& headers() const = 0;
  // Next piece of the body as it arrives (chunked decoding done); std::nullopt at the clean end.
  // Errors: kUpstreamTimeout (idle/total), kUpstreamError (connection cut mid-body),
  // kClientClosed (cancelled).
  virtual Task<Result<std::optional<std::string>>> next() = 0;
  // The next piece if it already arrived with an earlier read, else nullopt; never waits. A
  // malformed body is reported by the following next().
  virtual std::optional<std::string> next_buffered() { return std::nullopt; }
  // True when the body's end has already been read (after next_buffered() took what came before
  // it): next() then answers the clean end without waiting.
  virtual bool end_buffered() const { return false; }
};

class HttpClient {
 public:
  // Never fails: a bad ca_file is reported (kConfigInvalid) by every https request.
  explicit HttpClient(ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Builds (once) the OpenSSL context for `tls`, which requests naming these settings share;
  // otherwise the first such request builds it. Reads the CA file, so call it at start-up rather
  // than on an I/O thread. Fails with kConfigInvalid when the CA file cannot be loaded.
  Status prepare_tls(const TlsSettings& tls);

  // Sends the request and reads the whole body (up to max_response_body_bytes).
  Task<Result<ClientResponse>> send(ClientRequest request);
  // Sends the request and returns once the response headers have arrived.
  Task<Result<std::unique_ptr<ResponseStream>>> open(ClientRequest request);

  struct PoolStats {
    std::size_t idle = 0;    // pooled connections waiting for reuse
    std::size_t active = 0;  // connections in use (or being opened) by a request
  };
  PoolStats stats() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace osprey::net
