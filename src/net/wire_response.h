#pragma once
// Turns a handler's Response into the Beast message the server writes, adding the headers the
// server owns: Content-Length, Date, x-request-id and Connection. Pure functions, thread-safe.
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string_view>

#include "net/response.h"

namespace osprey::net {

// `head_only` (a HEAD request) keeps Content-Length but sends no body.
boost::beast::http::response<boost::beast::http::string_body> to_wire(Response&& response,
                                                                      unsigned version,
                                                                      bool head_only,
                                                                      bool keep_alive,
                                                                      std::string_view request_id);

// Status line and headers of an SSE stream (text/event-stream, no-cache; chunked on HTTP/1.1).
boost::beast::http::response<boost::beast::http::empty_body> sse_head(const Response& response,
                                                                      unsigned version,
                                                                      bool keep_alive,
                                                                      std::string_view request_id);

}  // namespace osprey::net
