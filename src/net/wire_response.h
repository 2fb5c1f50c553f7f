#pragma once
// Serializes the status line and headers of a handler's Response into one buffer that the
// server writes together with the body (one sendmsg, no serializer state machine), adding the
// headers the server owns: Content-Length, Date, x-request-id and Connection. Pure functions,
// thread-safe.
#include <cstddef>
#include <string>
#include <string_view>

#include "net/response.h"

namespace osprey::net {

// Appends the head of a plain response with a body of `content_length` bytes to `out`. A HEAD
// request gets the same head (Content-Length of the body it would have had) and no body.
void append_response_head(const Response& response, unsigned version, bool keep_alive,
                          std::string_view request_id, std::size_t content_length,
                          std::string& out);

// Appends the head of an SSE stream (text/event-stream, no-cache; chunked on HTTP/1.1).
void append_sse_head(const Response& response, unsigned version, bool keep_alive,
                     std::string_view request_id, std::string& out);

}  // namespace osprey::net
