#include "net/wire_response.h"

#include <gtest/gtest.h>

namespace osprey::net {
namespace {

// The head without its Date line (which changes every second).
std::string without_date(std::string head) {
  const std::size_t at = head.find("Date: ");
  if (at == std::string::npos) return head;
  return head.erase(at, head.find("\r\n", at) + 2 - at);
}

TEST(WireResponseTest, PlainHeadOnHttp11KeepAlive) {
  Response r = Response::json(200, "{}");
  r.headers.add("x-osprey-deployment", "m@a");
  std::string head;
  append_response_head(r, 11, true, "req-1", 2, head);
  EXPECT_NE(head.find("\r\nDate: "), std::string::npos);
  EXPECT_EQ(without_date(head),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-osprey-deployment: m@a\r\n"
            "x-request-id: req-1\r\nContent-Length: 2\r\n\r\n");
}

TEST(WireResponseTest, ConnectionHeaderFollowsTheVersion) {
  const Response r = Response::text(404, "no");
  std::string close11, keep10, close10;
  append_response_head(r, 11, false, "r", 2, close11);
  append_response_head(r, 10, true, "r", 2, keep10);
  append_response_head(r, 10, false, "r", 2, close10);
  EXPECT_EQ(close11.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0U);
  EXPECT_NE(close11.find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_EQ(keep10.rfind("HTTP/1.0 404 Not Found\r\n", 0), 0U);
  EXPECT_NE(keep10.find("\r\nConnection: keep-alive\r\n"), std::string::npos);
  EXPECT_EQ(close10.find("Connection:"), std::string::npos);
}

TEST(WireResponseTest, ServerOwnedAndInjectingFieldsAreDropped) {
  Response r = Response::json(201, "{}");
  r.headers.add("Content-Length", "999");
  r.headers.add("Transfer-Encoding", "chunked");
  r.headers.add("X-Request-Id", "spoofed");
  r.headers.add("x-evil", "a\r\nSet-Cookie: b");
  r.headers.add("x-fine", "ok");
  std::string head;
  append_response_head(r, 11, true, "real", 2, head);
  EXPECT_EQ(without_date(head),
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nx-fine: ok\r\n"
            "x-request-id: real\r\nContent-Length: 2\r\n\r\n");
}

TEST(WireResponseTest, SseHeadIsChunkedOnHttp11Only) {
  Response r = Response::json(200, "");
  r.headers.add("x-osprey-model", "m");
  std::string h11, h10;
  append_sse_head(r, 11, true, "s", h11);
  append_sse_head(r, 10, false, "s", h10);
  EXPECT_EQ(without_date(h11),
            "HTTP/1.1 200 OK\r\nx-osprey-model: m\r\nContent-Type: text/event-stream\r\n"
            "Cache-Control: no-cache\r\nx-request-id: s\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(h10.find("Transfer-Encoding"), std::string::npos);
  EXPECT_NE(h10.find("Content-Type: text/event-stream\r\n"), std::string::npos);
}

}  // namespace
}  // namespace osprey::net
