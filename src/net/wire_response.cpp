#include "net/wire_response.h"

#include <algorithm>
#include <array>
#include <boost/beast/http/status.hpp>
#include <charconv>
#include <ctime>

namespace osprey::net {
namespace http = boost::beast::http;

namespace {

// Headers the server computes itself; a handler's copy would contradict the real framing.
// Dispatches on the length first: this runs for every field of every response.
bool server_owned(std::string_view name) {
  switch (name.size()) {
    case 4:
      return iequals(name, "Date");
    case 10:
      return iequals(name, "Connection");
    case 12:
      return iequals(name, "x-request-id");
    case 14:
      return iequals(name, "Content-Length");
    case 17:
      return iequals(name, "Transfer-Encoding");
    default:
      return false;
  }
}

// CR or LF in a field would let a handler split the response; such fields are dropped.
bool injectable(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n'; });
}

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

void append_number(std::size_t n, std::string& out) {
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), n).ptr;
  out.append(digits.data(), end);
}

void append_field(std::string_view name, std::string_view value, std::string& out) {
  out.append(name).append(": ").append(value).append("\r\n");
}

// Status line, the handler's fields (minus the server's own and any that could split the
// response), Date, x-request-id and the Connection header the version needs.
void append_common(const Response& response, unsigned version, bool keep_alive,
                   std::string_view request_id, std::string& out) {
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  const int status = response.status;
  append_number(static_cast<std::size_t>(status), out);
  out.push_back(' ');
  out.append(http::obsolete_reason(static_cast<http::status>(status)));
  out.append("\r\n");
  for (const auto& [name, value] : response.headers.fields()) {
    if (name.empty() || server_owned(name) || injectable(name) || injectable(value)) continue;
    append_field(name, value, out);
  }
  append_field("Date", http_date(), out);
  append_field("x-request-id", request_id, out);
  // HTTP/1.1 is persistent unless told otherwise; HTTP/1.0 only when told so.
  if (version == 10 && keep_alive) append_field("Connection", "keep-alive", out);
  if (version != 10 && !keep_alive) append_field("Connection", "close", out);
}

}  // namespace

void append_response_head(const Response& response, unsigned version, bool keep_alive,
                          std::string_view request_id, std::size_t content_length,
                          std::string& out) {
  append_common(response, version, keep_alive, request_id, out);
  out.append("Content-Length: ");
  append_number(content_length, out);
  out.append("\r\n\r\n");
}

void append_sse_head(const Response& response, unsigned version, bool keep_alive,
                     std::string_view request_id, std::string& out) {
  Response head;
  head.status = response.status;
  head.headers = response.headers;
  head.headers.set("Content-Type", "text/event-stream");
  head.headers.set("Cache-Control", "no-cache");
  append_common(head, version, keep_alive, request_id, out);
  if (version >= 11) out.append("Transfer-Encoding: chunked\r\n");
  out.append("\r\n");
}

}  // namespace osprey::net
