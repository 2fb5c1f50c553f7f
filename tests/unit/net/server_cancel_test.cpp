// Client-disconnect cancellation: the server fires Request::cancel when the client goes away
// while a handler runs, and leaves it alone for clients that stay (or pipeline a next request).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "net/event_stream.h"
#include "net/server.h"
#include "net/sleep.h"
#include "support/eventually.h"
#include "unit/net/raw_client.h"
#include "unit/net/server_fixture.h"

namespace osprey::net {
namespace {

using osprey::testing::eventually;
using testing::RawClient;
using testing::ServerFixture;
using namespace std::chrono_literals;

// A handler that "works" (sleeps in small steps) until its request is cancelled or it is
// released, recording what it saw.
struct SlowRoutes {
  std::atomic<bool> started{false};
  std::atomic<bool> saw_cancel{false};
  std::atomic<bool> release{false};
  std::atomic<bool> finished{false};
  std::mutex mu;  // guards stream_token
  std::shared_ptr<CancelToken> stream_token;

  std::shared_ptr<CancelToken> token() {
    std::lock_guard lock(mu);
    return stream_token;
  }

  Router build() {
    Router r;
    r.get("/slow", [this](Request& req) -> Task<Response> {
      started = true;
      const auto until = std::chrono::steady_clock::now() + 20s;
      while (!release.load() && std::chrono::steady_clock::now() < until) {
        if (req.cancel && req.cancel->cancelled()) {
          saw_cancel = true;
          break;
        }
        co_await sleep_for(5ms);
      }
      finished = true;
      co_return Response::text(200, "done");
    });
    r.get("/fast", [](Request& req) -> Task<Response> {
      co_return Response::text(200, req.cancel && !req.cancel->cancelled() ? "live" : "cancelled");
    });
    r.get("/stream", [this](Request& req) -> Task<Response> {
      {
        std::lock_guard lock(mu);
        stream_token = req.cancel;
      }
      co_return Response::sse([this](EventStream& s) -> Task<void> {
        // Keep writing until a write fails because the client left.
        const auto until = std::chrono::steady_clock::now() + 20s;
        while (std::chrono::steady_clock::now() < until) {
          if (!co_await s.send("tick")) break;
          co_await sleep_for(5ms);
        }
        finished = true;
      });
    });
    return r;
  }
};

TEST(ServerCancel, HandlerObservesCancellationWhenClientCloses) {
  SlowRoutes routes;
  ServerFixture fx(routes.build());
  {
    RawClient client(fx.port());
    ASSERT_EQ(client.connect_errno(), 0);
    ASSERT_TRUE(client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(eventually([&] { return routes.started.load(); }));
  }  // the client closes its socket while the handler is still running
  ASSERT_TRUE(eventually([&] { return routes.finished.load(); }));
  EXPECT_TRUE(routes.saw_cancel.load());
}

TEST(ServerCancel, ClientThatWaitsIsNotCancelled) {
  SlowRoutes routes;
  ServerFixture fx(routes.build());
  RawClient client(fx.port());
  ASSERT_TRUE(client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(eventually([&] { return routes.started.load(); }));
  routes.release = true;
  auto response = client.read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_FALSE(routes.saw_cancel.load());
  // The connection is still usable after the watcher stood down.
  ASSERT_TRUE(client.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto second = client.read_response();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->body, "live");
}

TEST(ServerCancel, PipelinedRequestDuringHandlerIsServedNotCancelled) {
  SlowRoutes routes;
  ServerFixture fx(routes.build());
  RawClient client(fx.port());
  ASSERT_TRUE(client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(eventually([&] { return routes.started.load(); }));
  // Arrives while the first handler runs: it must stay in the socket for the next request.
  ASSERT_TRUE(client.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::this_thread::sleep_for(50ms);
  routes.release = true;
  auto first = client.read_response();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->body, "done");
  EXPECT_FALSE(routes.saw_cancel.load());
  auto second = client.read_response();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->body, "live");
}

TEST(ServerCancel, FailedStreamWriteFiresCancel) {
  SlowRoutes routes;
  ServerFixture fx(routes.build());
  {
    RawClient client(fx.port());
    ASSERT_TRUE(client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(client.read_head().has_value());
  }
  ASSERT_TRUE(eventually([&] { return routes.finished.load(); }));
  std::shared_ptr<CancelToken> token = routes.token();
  ASSERT_NE(token, nullptr);
  EXPECT_TRUE(eventually([&] { return token->cancelled(); }));
  const auto records = fx.records(1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].error, ErrorCode::kClientClosed);
}

}  // namespace
}  // namespace osprey::net
