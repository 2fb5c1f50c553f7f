#pragma once
// Request ids: the id that follows one request through logs, traces and the response
// (`x-request-id`). Thread-safe.
#include <string>
#include <string_view>

namespace osprey::net {

// True if a client-supplied X-Request-Id may be reused as is: 1-128 printable ASCII characters
// without spaces, so it is safe to log and echo.
bool valid_request_id(std::string_view id);

// A fresh random id of 32 lowercase hex characters (thread-local PRNG, not for secrets).
std::string generate_request_id();

// The client's id when valid, otherwise a generated one.
std::string request_id_from(std::string_view client_supplied);

}  // namespace osprey::net
