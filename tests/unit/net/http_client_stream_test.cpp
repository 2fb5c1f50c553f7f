// HttpClient::open: incremental body delivery, connection reuse after a full read, and the
// failure modes of a stream (idle timeout, cut, abandonment, cancellation).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "net/http_client.h"
#include "support/eventually.h"
#include "unit/net/test_upstream.h"

namespace osprey::net {
namespace {

using osprey::testing::eventually;
using namespace std::chrono_literals;
using fakes::Reply;
using fakes::SeenRequest;
using fakes::TestUpstream;

class HttpClientStreamTest : public ::testing::Test {
 protected:
  ClientRequest get(const std::string& path = "/") {
    ClientRequest request;
    request.method = "GET";
    request.url = upstream_.url(path);
    return request;
  }
  void serve_chunks(std::vector<std::string> chunks) {
    upstream_.on_request([chunks](const SeenRequest&) {
      Reply reply;
      reply.chunks = chunks;
      return reply;
    });
  }
  // Reads a stream to its end; returns the body or the error.
  static Task<Result<std::string>> read_all(ResponseStream& stream) {
    std::string body;
    for (;;) {
      auto chunk = co_await stream.next();
      if (!chunk) co_return chunk.error();
      if (!*chunk) co_return body;
      body += **chunk;
    }
  }

  boost::asio::io_context io_;
  TestUpstream upstream_;
};

TEST_F(HttpClientStreamTest, ChunksArriveBeforeTheLastIsSent) {
  auto gate = std::make_shared<std::atomic<bool>>(false);
  upstream_.on_request([gate](const SeenRequest&) {
    Reply reply;
    reply.chunks = {"data: a\n\n", "data: b\n\n", "data: [DONE]\n\n"};
    reply.last_chunk_gate = gate;  // the server holds the last chunk until we saw the others
    return reply;
  });
  HttpClient client;
  std::string before_gate, after_gate;
  std::optional<Error> failure;
  fakes::run_on(io_, [&]() -> Task<void> {
    auto stream = co_await client.open(get("/stream"));
    if (!stream) {
      failure = stream.error();
      co_return;
    }
    EXPECT_EQ((*stream)->status(), 200);
    EXPECT_EQ((*stream)->headers().get("transfer-encoding"), "chunked");
    while (before_gate.size() < std::string("data: a\n\ndata: b\n\n").size()) {
      auto chunk = co_await (*stream)->next();
      if (!chunk || !*chunk) {
        failure = chunk ? Error{ErrorCode::kInternal, "ended early"} : chunk.error();
        co_return;
      }
      before_gate += **chunk;
    }
    gate->store(true);
    auto rest = co_await read_all(**stream);
    if (!rest)
      failure = rest.error();
    else
      after_gate = *rest;
  });
  ASSERT_FALSE(failure) << failure->message;
  EXPECT_EQ(before_gate, "data: a\n\ndata: b\n\n");
  EXPECT_EQ(after_gate, "data: [DONE]\n\n");
}

// Serves one connection: reads a request head, writes `response` in one write (so the client's
// first read brings all of it) and closes.
std::string serve_in_one_write(boost::asio::io_context& io, std::string response) {
  auto acceptor = std::make_shared<boost::asio::ip::tcp::acceptor>(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const unsigned short port = acceptor->local_endpoint().port();
  boost::asio::co_spawn(
      io,
      [acceptor, response]() -> Task<void> {
        auto socket = co_await acceptor->async_accept(boost::asio::use_awaitable);
        std::string request;
        std::array<char, 1024> buffer{};
        while (request.find("\r\n\r\n") == std::string::npos) {
          const std::size_t n = co_await socket.async_read_some(boost::asio::buffer(buffer),
                                                                boost::asio::use_awaitable);
          request.append(buffer.data(), n);
        }
        co_await boost::asio::async_write(socket, boost::asio::buffer(response),
                                          boost::asio::use_awaitable);
        // Closing at once lets the test's io_context run dry; the client has every byte.
      },
      boost::asio::detached);
  return "http://127.0.0.1:" + std::to_string(port) + "/";
}

const std::string kChunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

// Chunks that came with an earlier read are handed out without waiting; what has not arrived is
// not, and the stream still ends cleanly after them.
TEST_F(HttpClientStreamTest, ChunksAlreadyReadAreHandedOutWithoutWaiting) {
  ClientRequest request = get();
  request.url = serve_in_one_write(io_, kChunkedHead + "9\r\ndata: a\n\n\r\n9\r\ndata: b\n\n\r\n" +
                                            "e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n");
  HttpClient client;
  std::vector<std::string> pieces;
  std::optional<std::string> first_buffered;
  std::vector<bool> end_at_hand;  // before and after taking the buffered pieces
  std::optional<Error> failure;
  fakes::run_on(io_, [&]() -> Task<void> {
    auto stream = co_await client.open(request);
    if (!stream) {
      failure = stream.error();
      co_return;
    }
    auto first = co_await (*stream)->next();
    if (!first || !*first) {
      failure = first ? Error{ErrorCode::kInternal, "ended early"} : first.error();
      co_return;
    }
    pieces.push_back(**first);
    end_at_hand.push_back((*stream)->end_buffered());
    while (std::optional<std::string> more = (*stream)->next_buffered()) pieces.push_back(*more);
    end_at_hand.push_back((*stream)->end_buffered());
    auto end = co_await (*stream)->next();
    if (!end || *end) failure = end ? Error{ErrorCode::kInternal, "not the end"} : end.error();
  });
  ASSERT_FALSE(failure) << failure->message;
  EXPECT_EQ(pieces, (std::vector<std::string>{"data: a\n\n", "data: b\n\n", "data: [DONE]\n\n"}));
  EXPECT_EQ(end_at_hand, (std::vector<bool>{false, true}));
}

TEST_F(HttpClientStreamTest, NothingIsHandedOutBeforeItArrivesAndABrokenChunkIsAnError) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.chunks = {"data: a\n\n", "data: b\n\n"};
    reply.chunk_delay = 200ms;  // the second chunk is not there when the first is read
    return reply;
  });
  HttpClient client;
  std::optional<std::string> early;
  bool early_end = true;
  fakes::run_on(io_, [&]() -> Task<void> {
    auto stream = co_await client.open(get());
    if (!stream) co_return;
    auto first = co_await (*stream)->next();
    early = (*stream)->next_buffered();
    early_end = (*stream)->end_buffered();
    co_await read_all(**stream);
  });
  EXPECT_FALSE(early.has_value()) << *early;
  EXPECT_FALSE(early_end);

  ClientRequest broken = get();
  broken.url = serve_in_one_write(io_, kChunkedHead + "9\r\ndata: a\n\n\r\nzz\r\nxx\r\n0\r\n\r\n");
  std::optional<std::string> after_broken;
  std::optional<Result<std::optional<std::string>>> then;
  fakes::run_on(io_, [&]() -> Task<void> {
    auto stream = co_await client.open(broken);
    if (!stream) co_return;
    auto first = co_await (*stream)->next();
    after_broken = (*stream)->next_buffered();
    then.emplace(co_await (*stream)->next());
  });
  EXPECT_FALSE(after_broken.has_value());
  ASSERT_TRUE(then.has_value());
  EXPECT_FALSE(then->ok());
}

TEST_F(HttpClientStreamTest, FullyReadStreamReturnsConnectionToPool) {
  serve_chunks({"one", "two"});
  HttpClient client;
  for (int i = 0; i < 3; ++i) {
    std::optional<Result<std::string>> body;
    fakes::run_on(io_, [&]() -> Task<void> {
      auto stream = co_await client.open(get());
      if (!stream) {
        body.emplace(stream.error());
        co_return;
      }
      body.emplace(co_await read_all(**stream));
    });
    ASSERT_TRUE(*body) << body->error().message;
    EXPECT_EQ(**body, "onetwo");
  }
  EXPECT_EQ(upstream_.accepted(), 1);
  EXPECT_EQ(client.stats().idle, 1u);
  EXPECT_EQ(client.stats().active, 0u);
}

TEST_F(HttpClientStreamTest, FixedLengthBodyCanBeStreamed) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.body = std::string(100000, 'z');
    return reply;
  });
  HttpClient client;
  std::optional<Result<std::string>> body;
  fakes::run_on(io_, [&]() -> Task<void> {
    auto stream = co_await client.open(get());
    if (!stream) {
      body.emplace(stream.error());
      co_return;
    }
    body.emplace(co_await read_all(**stream));
  });
  ASSERT_TRUE(*body) << body->error().message;
  EXPECT_EQ(**body, std::string(100000, 'z'));
}

TEST_F(HttpClientStreamTest, AbandonedStreamClosesItsConnection) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.chunks = {"first", "second"};
    reply.chunk_delay = 20s;  // never reached: the client gives up first
    return reply;
  });
  HttpClient client;
  std::string first;
  fakes::run_on(io_, [&]() -> Task<void> {
    auto stream = co_await client.open(get());
    if (!stream) co_return;
    auto chunk = co_await (*stream)->next();
    if (chunk && *chunk) first = **chunk;
  });  // the stream is destroyed here, mid-body
  EXPECT_EQ(first, "first");
  EXPECT_EQ(client.stats().idle, 0u);
  EXPECT_EQ(client.stats().active, 0u);
  EXPECT_TRUE(eventually([&] { return upstream_.closed_by_client() == 1; }));
}

TEST_F(HttpClientStreamTest, IdleReadTimeoutMidStream) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.chunks = {"first"};
    reply.stall_after_chunks = 20s;
    return reply;
  });
  HttpClient client;
  std::optional<Result<std::string>> body;
  fakes::run_on(io_, [&]() -> Task<void> {
    ClientRequest request = get();
    request.idle_read_timeout = 200ms;
    auto stream = co_await client.open(request);
    if (!stream) {
      body.emplace(stream.error());
      co_return;
    }
    body.emplace(co_await read_all(**stream));
  });
  ASSERT_FALSE(*body);
  EXPECT_EQ(body->code(), ErrorCode::kUpstreamTimeout);
  EXPECT_EQ(client_error_kind(body->error()), ClientErrorKind::kTimeoutIdle);
  EXPECT_EQ(client.stats().idle, 0u);
}

TEST_F(HttpClientStreamTest, CutMidBodyIsAnErrorNotACleanEnd) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.chunks = {"partial"};
    reply.cut_after_chunks = true;
    return reply;
  });
  HttpClient client;
  std::string received;
  std::optional<Result<std::optional<std::string>>> last;
  fakes::run_on(io_, [&]() -> Task<void> {
    auto stream = co_await client.open(get());
    if (!stream) co_return;
    for (;;) {
      auto chunk = co_await (*stream)->next();
      if (!chunk || !*chunk) {
        last.emplace(std::move(chunk));
        // Asking again repeats the error rather than pretending the body ended.
        if (!*last) {
          auto again = co_await (*stream)->next();
          EXPECT_FALSE(again);
        }
        co_return;
      }
      received += **chunk;
    }
  });
  EXPECT_EQ(received, "partial");
  ASSERT_TRUE(last.has_value());
  ASSERT_FALSE(*last);
  EXPECT_EQ(last->code(), ErrorCode::kUpstreamError);
  EXPECT_EQ(client_error_kind(last->error()), ClientErrorKind::kCut);
}

TEST_F(HttpClientStreamTest, CancelWhileWaitingForHeadersClosesConnection) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.header_delay = 20s;
    return reply;
  });
  HttpClient client;
  auto cancel = std::make_shared<CancelToken>();
  std::optional<Result<ClientResponse>> out;
  std::thread canceller([&] {
    // Cancel from another thread once the request reached the server.
    if (eventually([&] { return upstream_.requests().size() == 1; })) cancel->cancel();
  });
  fakes::run_on(io_, [&]() -> Task<void> {
    ClientRequest request = get();
    request.cancel = cancel;
    out.emplace(co_await client.send(request));
  });
  canceller.join();
  ASSERT_FALSE(*out);
  EXPECT_EQ(out->code(), ErrorCode::kClientClosed);
  EXPECT_EQ(client_error_kind(out->error()), ClientErrorKind::kCancelled);
  EXPECT_TRUE(eventually([&] { return upstream_.closed_by_client() == 1; }));
  EXPECT_EQ(client.stats().active, 0u);
}

TEST_F(HttpClientStreamTest, CancelMidStream) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.chunks = {"first", "never"};
    reply.chunk_delay = 20s;
    return reply;
  });
  HttpClient client;
  auto cancel = std::make_shared<CancelToken>();
  std::optional<Result<std::optional<std::string>>> after_cancel;
  fakes::run_on(io_, [&]() -> Task<void> {
    ClientRequest request = get();
    request.cancel = cancel;
    auto stream = co_await client.open(request);
    if (!stream) co_return;
    auto first = co_await (*stream)->next();
    EXPECT_TRUE(first && *first);
    std::thread([cancel] { cancel->cancel(); }).detach();
    after_cancel.emplace(co_await (*stream)->next());
  });
  ASSERT_TRUE(after_cancel.has_value());
  ASSERT_FALSE(*after_cancel);
  EXPECT_EQ(after_cancel->code(), ErrorCode::kClientClosed);
  EXPECT_TRUE(eventually([&] { return upstream_.closed_by_client() == 1; }));
}

TEST_F(HttpClientStreamTest, CancelWhileQueuedForAConnection) {
  upstream_.on_request([](const SeenRequest&) {
    Reply reply;
    reply.header_delay = 300ms;
    return reply;
  });
  ClientOptions options;
  options.max_connections_per_host = 1;
  HttpClient client(options);
  auto cancel = std::make_shared<CancelToken>();
  std::optional<Result<ClientResponse>> first, queued;
  fakes::run_on(io_, [&]() -> Task<void> {
    boost::asio::co_spawn(
        io_, [&]() -> Task<void> { first.emplace(co_await client.send(get())); },
        boost::asio::detached);
    boost::asio::co_spawn(
        io_,
        [&]() -> Task<void> {
          ClientRequest request = get();
          request.cancel = cancel;
          queued.emplace(co_await client.send(request));
        },
        boost::asio::detached);
    // Both coroutines have started; the second waits for the only slot.
    boost::asio::steady_timer timer(io_, 50ms);
    co_await timer.async_wait(boost::asio::use_awaitable);
    cancel->cancel();
  });
  ASSERT_TRUE(*first) << first->error().message;
  ASSERT_FALSE(*queued);
  EXPECT_EQ(queued->code(), ErrorCode::kClientClosed);
  EXPECT_EQ(upstream_.requests().size(), 1u);
}

TEST_F(HttpClientStreamTest, CancelDuringTlsHandshakeIsPrompt) {
  // Listens but never accepts: TCP connects (kernel backlog) and the TLS handshake hangs.
  boost::asio::ip::tcp::acceptor silent(io_, {boost::asio::ip::make_address("127.0.0.1"), 0});
  ClientOptions options;
  options.verify_tls = false;
  HttpClient client(options);
  auto cancel = std::make_shared<CancelToken>();
  std::optional<Result<ClientResponse>> out;
  std::thread canceller([cancel] {
    std::this_thread::sleep_for(100ms);
    cancel->cancel();
  });
  const auto started = std::chrono::steady_clock::now();
  fakes::run_on(io_, [&]() -> Task<void> {
    ClientRequest request;
    request.url = "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/";
    request.connect_timeout = 60s;
    request.cancel = cancel;
    out.emplace(co_await client.send(request));
  });
  canceller.join();
  ASSERT_FALSE(*out);
  EXPECT_EQ(out->code(), ErrorCode::kClientClosed);
  // Not a speed check: without cancellation the call would last the whole 60 s connect timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
  EXPECT_EQ(client.stats().active, 0u);
}

TEST(CancelToken, RunsCallbacksOnceAndImmediatelyWhenAlreadyCancelled) {
  CancelToken token;
  int runs = 0;
  const auto id = token.subscribe([&] { ++runs; });
  const auto removed = token.subscribe([&] { runs += 100; });
  token.unsubscribe(removed);
  EXPECT_FALSE(token.cancelled());
  token.cancel();
  token.cancel();
  EXPECT_TRUE(token.cancelled());
  EXPECT_EQ(runs, 1);
  token.unsubscribe(id);  // already ran: harmless
  EXPECT_EQ(token.subscribe([&] { runs += 10; }), CancelToken::kNoSubscription);
  EXPECT_EQ(runs, 11);
}

TEST(ClientError, KindSurvivesTheRoundTripThroughError) {
  for (auto kind :
       {ClientErrorKind::kInvalidRequest, ClientErrorKind::kConnect, ClientErrorKind::kTls,
        ClientErrorKind::kTimeoutConnect, ClientErrorKind::kTimeoutFirstByte,
        ClientErrorKind::kTimeoutIdle, ClientErrorKind::kTimeoutTotal, ClientErrorKind::kCut,
        ClientErrorKind::kMalformed, ClientErrorKind::kCancelled}) {
    const Error error = make_client_error(kind, "h:1", "detail");
    EXPECT_EQ(client_error_kind(error), kind) << error.message;
  }
  EXPECT_EQ(make_client_error(ClientErrorKind::kConnect, "h:1", "refused").message,
            "connect to h:1 failed: refused");
  EXPECT_FALSE(client_error_kind(Error{ErrorCode::kUpstreamError, "something else"}));
}

}  // namespace
}  // namespace osprey::net
