#pragma once
// Request: one parsed HTTP request as handlers see it. Owned by the connection that read it;
// valid until the handler's Task completes.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/cancel_token.h"
#include "net/headers.h"

namespace osprey::net {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target, e.g. "/v1/jobs?state=queued"
  std::string path;    // percent-decoded path without the query
  std::string query;   // raw query string without '?'
  Headers headers;
  std::string body;
  std::string request_id;   // from X-Request-Id if valid, else generated; echoed in the response
  std::string remote_addr;  // "ip:port" of the peer
  // Matched route pattern ("/v1/jobs/{id}"), owned by the server's router; "unmatched" otherwise.
  std::string_view route;
  std::vector<std::pair<std::string, std::string>> params;  // path parameters from the route
  std::chrono::steady_clock::time_point received_at{};
  // Fired by the server when the client disconnects while the handler runs, or when a write of
  // the handler's SSE stream fails; pass it down (CallContext, ClientRequest) so upstream work
  // stops. Never null for requests the server dispatches.
  std::shared_ptr<CancelToken> cancel;

  std::string_view header(std::string_view name) const { return headers.get(name); }
  // Path parameter by name; empty if the route has none by that name.
  std::string_view param(std::string_view name) const;
  // First query parameter by name, percent-decoded.
  std::optional<std::string> query_param(std::string_view name) const;
  // Every query parameter, percent-decoded, in order ("a" without '=' has an empty value).
  std::vector<std::pair<std::string, std::string>> query_params() const;
};

}  // namespace osprey::net
