#pragma once
// Response: what a handler returns. Either a complete body, or a stream producer that the
// server drives after sending the headers, or with its first events (Server-Sent Events).
#include <functional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "net/headers.h"
#include "net/task.h"

namespace osprey::net {

class EventStream;

struct Response {
  int status = 200;
  Headers headers;  // Content-Type goes here; the server adds Content-Length, Date, x-request-id
  std::string body;
  // When set, the response is an SSE stream: the server sends the status and headers with
  // `Content-Type: text/event-stream`, then awaits this producer. `body` is ignored.
  std::function<Task<void>(EventStream&)> stream;
  // The producer writes its first events without waiting for anything (they are at hand when
  // the response is made): the status and headers then leave in the same write as those events
  // instead of a write of their own. Unset, they are written before the producer starts.
  bool head_with_first_events = false;

  static Response json(int status, std::string body);
  static Response text(int status, std::string body, std::string_view content_type = "text/plain");
  // The one error shape of every route:
  // {"error":{"code","message","type","param","request_id"}}. `type` is OpenAI's error
  // type for the code, so OpenAI clients parse it as their own; `param` is Error::param or null.
  static Response error(const Error& error, std::string_view request_id);
  static Response sse(std::function<Task<void>(EventStream&)> producer);
};

// Serializes the error body (also used by the server for errors it raises itself).
std::string error_body(const Error& error, std::string_view request_id);

}  // namespace osprey::net
