// End-to-end tests of net::Server over real sockets: keep-alive, protocol errors, limits,
// timeouts, routing errors, handler failures and SSE.
#include "net/server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "net/event_stream.h"
#include "net/sleep.h"
#include "unit/net/raw_client.h"
#include "unit/net/server_fixture.h"

namespace osprey::net {
namespace {

using testing::get_request;
using testing::RawClient;
using testing::RawResponse;
using testing::ServerFixture;

// Set by /last-events if the stream took a write after its last events.
std::atomic<bool> write_after_last_succeeded{false};

Router test_routes() {
  Router r;
  r.get("/hello", [](Request& req) -> Task<Response> {
    co_return Response::text(200, "hello " + req.query_param("name").value_or("world"));
  });
  r.post("/echo", [](Request& req) -> Task<Response> {
    co_return Response::json(200, nlohmann::json{{"body", req.body}, {"route", req.route}}.dump());
  });
  r.get("/items/{id}", [](Request& req) -> Task<Response> {
    co_return Response::text(200, std::string(req.param("id")));
  });
  r.get("/throw", [](Request&) -> Task<Response> {
    throw std::runtime_error("handler bug");
    co_return Response::text(200, "unreachable");
  });
  r.get("/events", [](Request&) -> Task<Response> {
    co_return Response::sse([](EventStream& s) -> Task<void> {
      for (int i = 1; i <= 3; ++i) {
        const std::string data = "{\"n\":" + std::to_string(i) + "}";
        const std::string id = std::to_string(i);
        if (!co_await s.send(data, "tick", id)) co_return;
      }
    });
  });
  r.get("/last-events", [](Request&) -> Task<Response> {
    co_return Response::sse([](EventStream& s) -> Task<void> {
      if (!co_await s.send("first")) co_return;
      const std::vector<std::string> last{"second", "[DONE]"};
      if (!co_await s.send_last(last)) co_return;
      // Nothing may follow the last events: the response has ended with them.
      if (co_await s.send("too late")) write_after_last_succeeded = true;
    });
  });
  // Streams whose head waits for their first write (Response::head_with_first_events).
  r.get("/early-events", [](Request&) -> Task<Response> {
    Response response = Response::sse([](EventStream& s) -> Task<void> {
      const std::vector<std::string> all{"one", "[DONE]"};
      co_await s.send_last(all);
    });
    response.head_with_first_events = true;
    co_return response;
  });
  r.get("/late-events", [](Request&) -> Task<Response> {
    Response response = Response::sse([](EventStream& s) -> Task<void> {
      if (!co_await s.sleep(std::chrono::milliseconds(1500))) co_return;
      const std::vector<std::string> all{"late"};
      co_await s.send_last(all);
    });
    response.head_with_first_events = true;
    co_return response;
  });
  r.get("/failing-events", [](Request&) -> Task<Response> {
    Response response = Response::sse([](EventStream&) -> Task<void> {
      throw std::runtime_error("producer bug");
      co_return;
    });
    response.head_with_first_events = true;
    co_return response;
  });
  return r;
}

void expect_error(const std::optional<RawResponse>& r, int status, std::string_view code) {
  ASSERT_TRUE(r.has_value()) << "no response for expected " << code;
  EXPECT_EQ(r->status, status);
  const auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["error"]["code"], code);
  EXPECT_EQ(j["error"]["request_id"], r->header("x-request-id"));
  EXPECT_FALSE(r->header("x-request-id").empty());
}

TEST(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  ServerFixture f(test_routes());
  RawClient c(f.port());
  ASSERT_EQ(c.connect_errno(), 0);
  ASSERT_TRUE(c.send(get_request("/hello?name=a%20b")));
  auto r1 = c.read_response();
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200);
  EXPECT_EQ(r1->body, "hello a b");
  EXPECT_NE(r1->header("connection"), "close");
  ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"));
  auto r2 = c.read_response();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
  const auto j = nlohmann::json::parse(r2->body);
  EXPECT_EQ(j["body"], "abc");
  EXPECT_EQ(j["route"], "/echo");
}

TEST(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  ServerFixture f(test_routes());
  RawClient c(f.port());
  ASSERT_TRUE(c.send(get_request("/items/1") + get_request("/items/2")));
  auto r1 = c.read_response();
  auto r2 = c.read_response();
  ASSERT_TRUE(r1 && r2);
  EXPECT_EQ(r1->body, "1");
  EXPECT_EQ(r2->body, "2");
}

TEST(ServerTest, Http10ClosesUnlessKeepAliveRequested) {
  ServerFixture f(test_routes());
  RawClient c(f.port());
  ASSERT_TRUE(c.send("GET /hello HTTP/1.0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(c.at_eof());
}

TEST(ServerTest, ClientRequestIdIsEchoedAndBadOneReplaced) {
  ServerFixture f(test_routes());
  RawClient c(f.port());
  ASSERT_TRUE(c.send(get_request("/hello", "X-Request-Id: my-id-7\r\n")));
  auto r1 = c.read_response();
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->header("x-request-id"), "my-id-7");
  ASSERT_TRUE(c.send(get_request("/hello", "X-Request-Id: " + std::string(200, 'a') + "\r\n")));
  auto r2 = c.read_response();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->header("x-request-id").size(), 32u);
}

TEST(ServerTest, HeadGetsHeadersOnly) {
  ServerFixture f(test_routes());
  RawClient c(f.port());
  ASSERT_TRUE(c.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = c.read_response(/*head_request=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-length"), "11");
  // The next response on the connection starts right away: no body bytes were sent.
  ASSERT_TRUE(c.send(get_request("/items/9")));
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "9");
}

TEST(ServerTest, MalformedRequestLineGets400Json) {
  ServerFixture f(test_routes());
  RawClient c(f.port());
  ASSERT_TRUE(c.send("THIS IS NOT HTTP\r\n\r\n"));
  auto r = c.read_response();
  expect_error(r, 400, "malformed_http");
  EXPECT_EQ(r->header("connection"), "close");
  const auto records = f.records(1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].route, "malformed");
  EXPECT_EQ(records[0].error, ErrorCode::kMalformedHttp);
}

TEST(ServerTest, OversizedHeaderGets431) {
  auto options = testing::fast_options();
  options.max_header_bytes = 1024;
  ServerFixture f(test_routes(), options);
  RawClient c(f.port());
  ASSERT_TRUE(c.send(get_request("/hello", "X-Big: " + std::string(4096, 'x') + "\r\n")));
  expect_error(c.read_response(), 431, "headers_too_large");
}

TEST(ServerTest, OversizedBodyGets413WhileClientKeepsSending) {
  auto options = testing::fast_options();
  options.max_body_bytes = 1024 * 1024;
  ServerFixture f(test_routes(), options);
  RawClient c(f.port());
  constexpr std::size_t kBody = 10 * 1024 * 1024;
  ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(kBody) +
                     "\r\n\r\n"));
  const std::string chunk(64 * 1024, 'z');
  for (std::size_t sent = 0; sent < kBody; sent += chunk.size()) {
    if (!c.send(chunk)) break;  // the server may stop reading; the response must still arrive
  }
  c.shutdown_write();
  auto r = c.read_response();
  expect_error(r, 413, "payload_too_large");
  EXPECT_EQ(r->header("connection"), "close");
}

TEST(ServerTest, ChunkedBodyOverLimitGets413) {
  auto options = testing::fast_options();
  options.max_body_bytes = 1000;
  ServerFixture f(test_routes(), options);
  RawClient c(f.port());
  const std::string part(800, 'q');
  ASSERT_TRUE(
      c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
             "320\r\n" +
             part + "\r\n320\r\n" + part + "\r\n0\r\n\r\n"));
  expect_error(c.read_response(), 413, "payload_too_large");
}

TEST(ServerTest, ExpectContinueGets100ThenTheResponse) {
  ServerFixture f(test_routes());
  RawClient c(f.port());
  ASSERT_TRUE(
      c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
             "Expect: 100-continue\r\n\r\n"));
  auto interim = c.read_head();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send("hi"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body)["body"], "hi");
}

TEST(ServerTest, SlowLorisGets408WhileAnotherClientIsServed) {
  auto options = testing::fast_options();
  options.header_timeout = std::chrono::milliseconds(300);
  ServerFixture f(test_routes(), options);
  RawClient slow(f.port());
  ASSERT_TRUE(slow.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Partial: "));
  RawClient other(f.port());
  ASSERT_TRUE(other.send(get_request("/items/5")));
  auto ok = other.read_response();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, "5");
  auto r = slow.read_response();
  expect_error(r, 408, "request_timeout");
}

TEST(ServerTest, UnknownRouteGets404AndWrongMethod405WithAllow) {
  ServerFixture f(test_routes());
  RawClient c(f.port());
  ASSERT_TRUE(c.send(get_request("/nope")));
  auto r404 = c.read_response();
  expect_error(r404, 404, "not_found");
  ASSERT_TRUE(c.send("DELETE /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r405 = c.read_response();
  expect_error(r405, 405, "method_not_allowed");
  EXPECT_EQ(r405->header("allow"), "POST");
  const auto records = f.records(2);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].route, "unmatched");
  EXPECT_EQ(records[1].error, ErrorCode::kMethodNotAllowed);
}

TEST(ServerTest, ThrowingHandlerGets500AndServerKeepsServing) {
  ServerFixture f(test_routes());
  RawClient c(f.port());
  ASSERT_TRUE(c.send(get_request("/throw")));
  expect_error(c.read_response(), 500, "internal_error");
  ASSERT_TRUE(c.send(get_request("/items/ok")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok");
  bool logged = false;
  for (const auto& e : f.events()) logged = logged || e.find("handler bug") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST(ServerTest, SseProducerEventsAreReceived) {
  ServerFixture f(test_routes());
  RawClient c(f.port());
  ASSERT_TRUE(c.send(get_request("/events")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "text/event-stream");
  EXPECT_EQ(r->header("cache-control"), "no-cache");
  EXPECT_EQ(r->body,
            "event: tick\nid: 1\ndata: {\"n\":1}\n\n"
            "event: tick\nid: 2\ndata: {\"n\":2}\n\n"
            "event: tick\nid: 3\ndata: {\"n\":3}\n\n");
}

// GETs `stream_path` with a GET /hello pipelined behind it, and returns the stream's response:
// the answer to the second reads clean only if the stream's chunked body ended exactly once.
std::optional<RawResponse> stream_then_hello(std::uint16_t port, std::string_view stream_path) {
  RawClient c(port);
  if (!c.send(get_request(stream_path) + get_request("/hello"))) return std::nullopt;
  std::optional<RawResponse> stream = c.read_response();
  const std::optional<RawResponse> next = c.read_response();
  EXPECT_TRUE(next && next->body == "hello world") << "after " << stream_path;
  return stream;
}

TEST(ServerTest, SseLastEventsEndTheResponseAndTheConnectionServesOn) {
  ServerFixture f(test_routes());
  const auto stream = stream_then_hello(f.port(), "/last-events");
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->status, 200);
  EXPECT_EQ(stream->body, "data: first\n\ndata: second\n\ndata: [DONE]\n\n");
  EXPECT_FALSE(write_after_last_succeeded.load());
  const auto records = f.records(2);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].status, 200);
  EXPECT_FALSE(records[0].error.has_value());
}

TEST(ServerTest, AStreamHeadCanLeaveWithItsFirstEvents) {
  ServerFixture f(test_routes());
  const auto stream = stream_then_hello(f.port(), "/early-events");
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->status, 200);
  EXPECT_EQ(stream->header("content-type"), "text/event-stream");
  EXPECT_FALSE(stream->header("x-request-id").empty());
  EXPECT_EQ(stream->body, "data: one\n\ndata: [DONE]\n\n");
  const auto records = f.records(2);
  ASSERT_EQ(records.size(), 2u);
  // The head's bytes count as written, as when it leaves on its own.
  EXPECT_GT(records[0].bytes_out, stream->body.size() + 60);
}

TEST(ServerTest, AHeldStreamHeadDoesNotWaitForAProducerThatSleeps) {
  ServerFixture f(test_routes());
  RawClient c(f.port());
  const auto asked = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.send(get_request("/late-events")));
  const auto head = c.read_head();
  ASSERT_TRUE(head);
  // The producer sleeps 1.5 s before its first event; the head is sent when the sleep begins.
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::milliseconds(1200));
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(c.read_until("data: late\n\n"));
}

TEST(ServerTest, AHeldStreamHeadStillReachesTheClientWhenTheProducerFails) {
  ServerFixture f(test_routes());
  RawClient c(f.port());
  ASSERT_TRUE(c.send(get_request("/failing-events")));
  const auto head = c.read_head();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(c.at_eof());  // then a truncated stream: no terminating chunk, connection closed
  const auto records = f.records(1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].error, ErrorCode::kInternal);
}

// The server's end of a loopback connection, found among this process's descriptors (the
// server under test runs in it): local port `server_port`, peer port `client_port`; -1 if none.
int server_side_socket(std::uint16_t server_port, std::uint16_t client_port) {
  for (int fd = 0; fd < 4096; ++fd) {
    sockaddr_in local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) continue;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    if (local.sin_family == AF_INET && ntohs(local.sin_port) == server_port &&
        ntohs(peer.sin_port) == client_port) {
      return fd;
    }
  }
  return -1;
}

// Each SSE event is a small write: under Nagle's algorithm the server would hold every one
// until the client acknowledged the previous, which a delayed ACK stretches to 40 ms.
TEST(ServerTest, AcceptedConnectionsSendWithoutNagleDelay) {
  ServerFixture f(test_routes());
  RawClient c(f.port());
  ASSERT_TRUE(c.send(get_request("/events")));
  ASSERT_TRUE(c.read_response());  // accepted and served: the socket is set up by now
  const int fd = server_side_socket(f.port(), c.local_port());
  ASSERT_GE(fd, 0) << "the server's end of the connection was not found";
  int nodelay = 0;
  socklen_t len = sizeof nodelay;
  ASSERT_EQ(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &len), 0);
  EXPECT_NE(nodelay, 0);
}

TEST(ServerTest, HooksReportEveryRequestOnceAndInFlightReturnsToZero) {
  ServerFixture f(test_routes());
  {
    RawClient c(f.port());
    ASSERT_TRUE(c.send(get_request("/items/a") + get_request("/nope") + get_request("/items/b")));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(c.read_response());
  }
  const auto records = f.records(3);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].route, "/items/{id}");
  EXPECT_EQ(records[1].status, 404);
  EXPECT_EQ(records[2].status, 200);
  EXPECT_EQ(f.server().in_flight(), 0u);
}

TEST(ServerTest, ConnectionsBeyondTheLimitGet503) {
  auto options = testing::fast_options();
  options.max_connections = 1;
  ServerFixture f(test_routes(), options);
  RawClient first(f.port());
  ASSERT_TRUE(first.send(get_request("/items/1")));
  ASSERT_TRUE(first.read_response());  // the first connection is established and counted
  RawClient second(f.port());
  expect_error(second.read_response(), 503, "unavailable");
}

TEST(ServerTest, ListenFailsClearlyOnTakenPort) {
  ServerFixture f(test_routes());
  auto options = testing::fast_options();
  options.port = f.port();
  Server other(options, Router{}, ServerHooks{});
  const Status s = other.listen();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(std::to_string(f.port())), std::string::npos);
}

}  // namespace
}  // namespace osprey::net
