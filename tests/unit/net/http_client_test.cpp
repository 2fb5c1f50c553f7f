// HttpClient buffered requests against a local TestUpstream: round trips, keep-alive pooling,
// the per-host limit, connect errors, timeouts and stale pooled connections.
#include "net/http_client.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <thread>

#include "support/eventually.h"
#include "unit/net/test_upstream.h"

namespace osprey::net {
namespace {

using osprey::testing::eventually;
using namespace std::chrono_literals;
using fakes::Reply;
using fakes::SeenRequest;
using fakes::TestUpstream;

class HttpClientTest : public ::testing::Test {
 protected:
  Result<ClientResponse> send(HttpClient& client, ClientRequest request) {
    std::optional<Result<ClientResponse>> out;
    fakes::run_on(io_, [&]() -> Task<void> { out.emplace(co_await client.send(request)); });
    return std::move(*out);
  }
  ClientRequest get(const std::string& url) {
    ClientRequest request;
    request.method = "GET";
    request.url = url;
    return request;
  }
  // Sends `request` while `serve` (a coroutine taking the socket) answers the one connection
  // `acceptor` takes: for answers TestUpstream cannot give, and for the exact bytes sent.
  template <typename Serve>
  Result<ClientResponse> send_raw(HttpClient& client, const ClientRequest& request,
                                  boost::asio::ip::tcp::acceptor& acceptor, Serve serve) {
    std::optional<Result<ClientResponse>> out;
    fakes::run_on(io_, [&]() -> Task<void> {
      boost::asio::co_spawn(
          io_,
          [&]() -> Task<void> {
            auto socket = co_await acceptor.async_accept(boost::asio::use_awaitable);
            co_await serve(socket);
          },
          boost::asio::detached);
      out.emplace(co_await client.send(request));
    });
    return std::move(*out);
  }

  boost::asio::io_context io_;  // declared first: outlives the clients of each test
  TestUpstream upstream_;
};

TEST_F(HttpClientTest, GetRoundTrip) {
  upstream_.on_request([](const SeenRequest& r) {
    Reply reply;
    reply.body = "hello " + r.target;
    reply.headers = {{"X-Upstream", "yes"}};
    return reply;
  });
  HttpClient client;
  auto response = send(client, get(upstream_.url("/hello?x=1")));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello /hello?x=1");
  EXPECT_EQ(response->headers.get("x-upstream"), "yes");
  const auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].header("Host"), "127.0.0.1:" + std::to_string(upstream_.port()));
}

TEST_F(HttpClientTest, PostSendsBodyAndHeaders) {
  upstream_.on_request([](const SeenRequest& r) {
    Reply reply;
    reply.body = "got " + r.body;
    return reply;
  });
  HttpClient client;
  ClientRequest request;
  request.url = upstream_.url("/v1/chat");
  request.body = R"({"model":"m"})";
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Authorization", "Bearer k");
  auto response = send(client, request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, R"(got {"model":"m"})");
  const auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, R"({"model":"m"})");
  EXPECT_EQ(seen[0].header("content-type"), "application/json");
  EXPECT_EQ(seen[0].header("authorization"), "Bearer k");
  EXPECT_EQ(seen[0].header("content-length"), "13");
}

TEST_F(HttpClientTest, ErrorStatusIsDataNotFailure) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.status = 503;
    reply.body = R"({"error":"overloaded"})";
    return reply;
  });
  HttpClient client;
  auto response = send(client, get(upstream_.url()));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, R"({"error":"overloaded"})");
}

TEST_F(HttpClientTest, KeepAliveReusesOneConnection) {
  HttpClient client;
  for (int i = 0; i < 10; ++i) {
    auto response = send(client, get(upstream_.url()));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, "ok");
  }
  EXPECT_EQ(upstream_.accepted(), 1);
  EXPECT_EQ(upstream_.requests().size(), 10u);
  EXPECT_EQ(client.stats().idle, 1u);
  EXPECT_EQ(client.stats().active, 0u);
}

TEST_F(HttpClientTest, ConnectionCloseResponseIsNotPooled) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.keep_alive = false;
    return reply;
  });
  HttpClient client;
  ASSERT_TRUE(send(client, get(upstream_.url())));
  ASSERT_TRUE(send(client, get(upstream_.url())));
  EXPECT_EQ(upstream_.accepted(), 2);
  EXPECT_EQ(client.stats().idle, 0u);
}

TEST_F(HttpClientTest, PerHostLimitHoldsUnderConcurrency) {
  upstream_.on_request([](const SeenRequest& r) {
    Reply reply;
    reply.header_delay = 10ms;  // keep connections busy so requests overlap
    reply.body = r.target;
    return reply;
  });
  ClientOptions options;
  options.max_connections_per_host = 4;
  HttpClient client(options);
  int ok = 0;
  std::size_t peak_active = 0;
  fakes::run_on(io_, [&]() -> Task<void> {
    for (int i = 0; i < 50; ++i) {
      boost::asio::co_spawn(
          io_,
          [&, i]() -> Task<void> {
            ClientRequest request = get(upstream_.url("/" + std::to_string(i)));
            auto response = co_await client.send(request);
            peak_active = std::max(peak_active, client.stats().active);
            if (response && response->body == "/" + std::to_string(i)) ++ok;
          },
          boost::asio::detached);
    }
    co_return;
  });
  EXPECT_EQ(ok, 50);
  EXPECT_LE(upstream_.peak_connections(), 4);
  EXPECT_LE(upstream_.accepted(), 4);
  EXPECT_LE(peak_active, 4u);
  EXPECT_EQ(client.stats().active, 0u);
}

TEST_F(HttpClientTest, ConnectRefusedIsConnectError) {
  std::uint16_t port = 0;
  {
    boost::asio::ip::tcp::acceptor probe(io_, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }  // closed: nothing listens on `port` now
  HttpClient client;
  auto response = send(client, get("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.code(), ErrorCode::kUpstreamError);
  EXPECT_EQ(client_error_kind(response.error()), ClientErrorKind::kConnect);
  EXPECT_TRUE(nothing_sent(*client_error_kind(response.error())));
  EXPECT_TRUE(response.error().message.starts_with("connect to 127.0.0.1:" + std::to_string(port) +
                                                   " failed: "))
      << response.error().message;
  EXPECT_EQ(client.stats().active, 0u);
}

TEST_F(HttpClientTest, UnknownHostIsConnectError) {
  HttpClient client;
  auto response = send(client, get("http://no-such-host.invalid/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.code(), ErrorCode::kUpstreamError);
  EXPECT_EQ(client_error_kind(response.error()), ClientErrorKind::kConnect);
}

TEST_F(HttpClientTest, FirstByteTimeout) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.header_delay = 20s;
    return reply;
  });
  HttpClient client;
  ClientRequest request = get(upstream_.url());
  request.first_byte_timeout = 200ms;
  auto response = send(client, request);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.code(), ErrorCode::kUpstreamTimeout);
  EXPECT_EQ(client_error_kind(response.error()), ClientErrorKind::kTimeoutFirstByte);
  EXPECT_TRUE(eventually([&] { return upstream_.closed_by_client() == 1; }));
}

TEST_F(HttpClientTest, TotalTimeoutCoversSlowBody) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.chunks = std::vector<std::string>(100, "x");
    reply.chunk_delay = 50ms;  // each gap is far below the idle timeout
    return reply;
  });
  HttpClient client;
  ClientRequest request = get(upstream_.url());
  request.total_timeout = 300ms;
  request.idle_read_timeout = 10s;
  auto response = send(client, request);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.code(), ErrorCode::kUpstreamTimeout);
  EXPECT_EQ(client_error_kind(response.error()), ClientErrorKind::kTimeoutTotal);
}

TEST_F(HttpClientTest, StaleIdleConnectionIsReplaced) {
  HttpClient client;
  ASSERT_TRUE(send(client, get(upstream_.url())));
  upstream_.close_idle_connections();
  ASSERT_TRUE(eventually([&] { return upstream_.open_connections() == 0; }));
  auto response = send(client, get(upstream_.url()));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "ok");
  EXPECT_EQ(upstream_.accepted(), 2);
}

TEST_F(HttpClientTest, PooledConnectionDroppedBeforeAnyResponseByteIsRetriedOnce) {
  int count = 0;
  upstream_.on_request([&count](const SeenRequest&) {
    Reply reply;
    reply.close_without_reply = ++count == 2;  // the reused connection dies unanswered
    return reply;
  });
  HttpClient client;
  ASSERT_TRUE(send(client, get(upstream_.url())));
  auto response = send(client, get(upstream_.url()));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "ok");
  EXPECT_EQ(upstream_.accepted(), 2);
  EXPECT_EQ(upstream_.requests().size(), 3u);
}

TEST_F(HttpClientTest, FreshConnectionDroppedWithoutResponseIsNotRetried) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.close_without_reply = true;
    return reply;
  });
  HttpClient client;
  auto response = send(client, get(upstream_.url()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.code(), ErrorCode::kUpstreamError);
  EXPECT_EQ(client_error_kind(response.error()), ClientErrorKind::kCut);
  EXPECT_EQ(upstream_.requests().size(), 1u);
}

TEST_F(HttpClientTest, BodyOverLimitFails) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.body = std::string(100, 'x');
    return reply;
  });
  ClientOptions options;
  options.max_response_body_bytes = 10;
  HttpClient client(options);
  auto response = send(client, get(upstream_.url()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.code(), ErrorCode::kUpstreamError);
  EXPECT_EQ(client_error_kind(response.error()), ClientErrorKind::kMalformed);
  EXPECT_EQ(client.stats().idle, 0u);
}

TEST_F(HttpClientTest, BodyAtLimitIsReadAndConnectionPooled) {
  upstream_.on_request([](const SeenRequest& r) {
    Reply reply;
    reply.body = std::string(r.target == "/empty" ? 0 : 10, 'x');
    return reply;
  });
  ClientOptions options;
  options.max_response_body_bytes = 10;
  HttpClient client(options);
  auto response = send(client, get(upstream_.url()));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, std::string(10, 'x'));
  auto empty = send(client, get(upstream_.url("/empty")));
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(empty->body, "");
  EXPECT_EQ(upstream_.accepted(), 1);
  EXPECT_EQ(client.stats().idle, 1u);
}

TEST_F(HttpClientTest, BadRequestsFailWithoutSending) {
  HttpClient client;
  auto bad_url = send(client, get("ftp://127.0.0.1/"));
  ASSERT_FALSE(bad_url);
  EXPECT_EQ(bad_url.code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(client_error_kind(bad_url.error()), ClientErrorKind::kInvalidRequest);

  ClientRequest injected = get(upstream_.url());
  injected.headers.add("X-Evil", "a\r\nX-Injected: 1");
  auto bad_header = send(client, injected);
  ASSERT_FALSE(bad_header);
  EXPECT_EQ(bad_header.code(), ErrorCode::kInvalidRequest);

  ClientRequest bad_method = get(upstream_.url());
  bad_method.method = "GE T";
  EXPECT_FALSE(send(client, bad_method));
  EXPECT_EQ(upstream_.requests().size(), 0u);
}

TEST_F(HttpClientTest, MalformedResponseIsUpstreamError) {
  // A raw server answering garbage instead of HTTP.
  boost::asio::ip::tcp::acceptor acceptor(io_, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  HttpClient client;
  std::optional<Result<ClientResponse>> out;
  out.emplace(send_raw(
      client, get("http://127.0.0.1:" + std::to_string(port) + "/"), acceptor,
      [](boost::asio::ip::tcp::socket& socket) -> Task<void> {
        char buf[1024];
        co_await socket.async_read_some(boost::asio::buffer(buf), boost::asio::use_awaitable);
        co_await boost::asio::async_write(socket, boost::asio::buffer("NOT HTTP AT ALL\r\n\r\n"),
                                          boost::asio::use_awaitable);
      }));
  ASSERT_FALSE(*out);
  EXPECT_EQ(out->code(), ErrorCode::kUpstreamError);
  EXPECT_EQ(client_error_kind(out->error()), ClientErrorKind::kMalformed);
}

// A request naming a parsed Endpoint goes out exactly as one naming the same URL as text, and
// both share the pooled connection.
TEST_F(HttpClientTest, EndpointRequestMatchesUrlRequest) {
  HttpClient client;
  const std::string url = upstream_.url("/v1/chat?x=1");
  auto endpoint = make_endpoint(url);
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  for (const bool parsed : {false, true, false, true}) {
    ClientRequest request;
    if (parsed) {
      request.endpoint = *endpoint;
    } else {
      request.url = url;
    }
    request.body = R"({"model":"m"})";
    request.headers.add("Content-Type", "application/json");
    request.headers.add("X-Request-Id", "r-1");
    request.headers.add("Content-Length", "999");  // the client writes its own
    auto response = send(client, request);
    ASSERT_TRUE(response) << response.error().message;
  }
  const auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 4u);
  for (const SeenRequest& r : seen) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/v1/chat?x=1");
    EXPECT_EQ(r.body, R"({"model":"m"})");
    EXPECT_EQ(r.headers, seen[0].headers);
  }
  EXPECT_EQ(seen[0].header("host"), "127.0.0.1:" + std::to_string(upstream_.port()));
  EXPECT_EQ(seen[0].header("content-length"), "13");
  EXPECT_EQ(upstream_.accepted(), 1);
}

// The endpoint wins over a (stale) url text; a caller-set Host is kept.
TEST_F(HttpClientTest, EndpointIsTheUrlAndCallerHostIsKept) {
  HttpClient client;
  auto endpoint = make_endpoint(upstream_.url("/e"));
  ASSERT_TRUE(endpoint);
  ClientRequest request = get("http://127.0.0.1:1/elsewhere");
  request.endpoint = *endpoint;
  request.headers.add("Host", "example.test");
  auto response = send(client, request);
  ASSERT_TRUE(response) << response.error().message;
  const auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "/e");
  EXPECT_EQ(seen[0].header("host"), "example.test");
  EXPECT_EQ(seen[0].header("content-length"), "");  // a GET without a body has none
}

// The exact bytes of a request head: the request line, the caller's fields in order (framing
// fields dropped), then Host and Content-Length, for an endpoint and for the same URL as text.
TEST_F(HttpClientTest, RequestHeadBytes) {
  boost::asio::ip::tcp::acceptor acceptor(io_, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const std::string port = std::to_string(acceptor.local_endpoint().port());
  const std::string url = "http://127.0.0.1:" + port + "/v1/chat?x=1";
  const std::string body = R"({"model":"m"})";
  const std::string expected =
      "POST /v1/chat?x=1 HTTP/1.1\r\nContent-Type: application/json\r\n"
      "X-Request-Id: r-1\r\nHost: 127.0.0.1:" +
      port + "\r\nContent-Length: 13\r\n\r\n" + body;
  auto endpoint = make_endpoint(url);
  ASSERT_TRUE(endpoint);
  HttpClient client;
  for (const bool parsed : {false, true}) {
    ClientRequest request;
    if (parsed) {
      request.endpoint = *endpoint;
    } else {
      request.url = url;
    }
    request.body = body;
    request.headers.add("Content-Type", "application/json");
    request.headers.add("Transfer-Encoding", "chunked");
    request.headers.add("X-Request-Id", "r-1");
    request.headers.add("content-length", "1");
    std::string seen;
    auto response = send_raw(client, request, acceptor,
                             [&](boost::asio::ip::tcp::socket& socket) -> Task<void> {
                               char buf[1024];
                               while (seen.size() < expected.size()) {
                                 const std::size_t n = co_await socket.async_read_some(
                                     boost::asio::buffer(buf), boost::asio::use_awaitable);
                                 seen.append(buf, n);
                               }
                               const std::string reply =
                                   "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: "
                                   "2\r\n\r\nok";
                               co_await boost::asio::async_write(socket, boost::asio::buffer(reply),
                                                                 boost::asio::use_awaitable);
                             });
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, "ok");
    EXPECT_EQ(seen, expected) << (parsed ? "endpoint" : "url");
  }
}

}  // namespace
}  // namespace osprey::net
