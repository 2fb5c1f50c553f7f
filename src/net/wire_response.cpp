#include "net/wire_response.h"

#include <array>
#include <ctime>

namespace osprey::net {
namespace http = boost::beast::http;

namespace {

// Headers the server computes itself; a handler's copy would contradict the real framing.
bool server_owned(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Connection") || iequals(name, "x-request-id") || iequals(name, "Date");
}

// CR or LF in a field would let a handler split the response; such fields are dropped.
bool injectable(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Formatted once per second and thread: every response carries it.
std::string_view http_date() {
  thread_local std::time_t cached_at = -1;
  thread_local std::array<char, 64> buf{};
  thread_local std::size_t len = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_at) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    len = std::strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_at = now;
  }
  return std::string_view(buf.data(), len);
}

template <typename Body>
void copy_headers(const Headers& from, http::response<Body>& to, std::string_view request_id,
                  bool keep_alive) {
  for (const auto& [name, value] : from.fields()) {
    if (name.empty() || server_owned(name) || injectable(name) || injectable(value)) continue;
    to.insert(name, value);
  }
  to.set(http::field::date, http_date());
  to.set("x-request-id", request_id);
  to.keep_alive(keep_alive);
}

}  // namespace

http::response<http::string_body> to_wire(Response&& response, unsigned version, bool head_only,
                                          bool keep_alive, std::string_view request_id) {
  http::response<http::string_body> out;
  out.version(version);
  out.result(static_cast<unsigned>(response.status));
  copy_headers(response.headers, out, request_id, keep_alive);
  out.content_length(response.body.size());
  if (!head_only) out.body() = std::move(response.body);
  return out;
}

http::response<http::empty_body> sse_head(const Response& response, unsigned version,
                                          bool keep_alive, std::string_view request_id) {
  http::response<http::empty_body> out;
  out.version(version);
  out.result(static_cast<unsigned>(response.status));
  copy_headers(response.headers, out, request_id, keep_alive);
  out.set(http::field::content_type, "text/event-stream");
  out.set(http::field::cache_control, "no-cache");
  if (version >= 11) out.chunked(true);
  return out;
}

}  // namespace osprey::net
