// Graceful drain of net::Server: in-flight work finishes, new connections are refused, open
// connections are told to close, SSE streams get `event: shutdown`, and run() returns.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "net/event_stream.h"
#include "net/server.h"
#include "net/sleep.h"
#include "support/eventually.h"
#include "unit/net/raw_client.h"
#include "unit/net/server_fixture.h"

namespace osprey::net {
namespace {

using osprey::testing::eventually;
using testing::get_request;
using testing::RawClient;
using testing::ServerFixture;
using namespace std::chrono_literals;

struct DrainRoutes {
  std::atomic<bool> release_slow{false};

  Router build() {
    Router r;
    r.get("/fast", [](Request&) -> Task<Response> { co_return Response::text(200, "fast"); });
    r.get("/slow", [this](Request&) -> Task<Response> {
      while (!release_slow.load()) co_await sleep_for(5ms);
      co_return Response::text(200, "slow done");
    });
    r.get("/stream", [](Request&) -> Task<Response> {
      co_return Response::sse([](EventStream& s) -> Task<void> {
        co_await s.send("hello");
        // Sleep "forever": only a drain (or a disconnect) ends this stream.
        while (!s.closing()) {
          if (!co_await s.sleep(10s)) break;
        }
        // Its last event while draining: the server's shutdown event must still follow it.
        const std::vector<std::string> last{"bye"};
        co_await s.send_last(last);
      });
    });
    return r;
  }
};

TEST(ServerDrainTest, DrainFinishesInFlightWorkAndStops) {
  DrainRoutes routes;
  ServerFixture f(routes.build());

  RawClient idle(f.port());  // an idle keep-alive connection
  ASSERT_TRUE(idle.send(get_request("/fast")));
  ASSERT_TRUE(idle.read_response());
  // Its request counts as in flight until the hook runs, just after the client has the reply.
  ASSERT_EQ(f.records(1).size(), 1u);

  RawClient stream(f.port());
  ASSERT_TRUE(stream.send(get_request("/stream")));
  auto head = stream.read_head();
  ASSERT_TRUE(head);
  ASSERT_TRUE(stream.read_until("data: hello\n\n"));

  RawClient slow(f.port());
  ASSERT_TRUE(slow.send(get_request("/slow")));
  ASSERT_TRUE(eventually([&] { return f.server().in_flight() == 2; }));

  f.server().drain();
  EXPECT_TRUE(f.server().draining());

  // The SSE producer is woken and the server appends the shutdown event.
  auto tail = stream.read_until(R"(data: {"reason":"server_draining"})");
  ASSERT_TRUE(tail);
  EXPECT_NE(tail->find("event: shutdown\n"), std::string::npos);
  EXPECT_LT(tail->find("data: bye\n\n"), tail->find("event: shutdown\n"));

  // New connections are refused once the listener is closed.
  ASSERT_TRUE(eventually([&] { return RawClient(f.port()).connect_errno() == ECONNREFUSED; }));

  // A request on an open keep-alive connection is still served, but told to close.
  ASSERT_TRUE(idle.send(get_request("/fast")));
  auto last = idle.read_response();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, 200);
  EXPECT_EQ(last->header("connection"), "close");

  EXPECT_FALSE(f.wait_for_run_return(50ms));  // the slow request still holds the drain open
  routes.release_slow = true;
  auto slow_response = slow.read_response();
  ASSERT_TRUE(slow_response);
  EXPECT_EQ(slow_response->status, 200);
  EXPECT_EQ(slow_response->body, "slow done");
  EXPECT_EQ(slow_response->header("connection"), "close");

  EXPECT_TRUE(f.wait_for_run_return(2s));
  EXPECT_EQ(f.server().in_flight(), 0u);
}

TEST(ServerDrainTest, DrainWithNothingInFlightReturnsAtOnce) {
  DrainRoutes routes;
  ServerFixture f(routes.build());
  RawClient idle(f.port());
  ASSERT_TRUE(idle.send(get_request("/fast")));
  ASSERT_TRUE(idle.read_response());
  f.server().drain();
  EXPECT_TRUE(f.wait_for_run_return(2s));
  EXPECT_TRUE(idle.at_eof());  // idle connections are closed, not left hanging
}

TEST(ServerDrainTest, DrainTimeoutForcesStop) {
  DrainRoutes routes;
  auto options = testing::fast_options();
  options.drain_timeout = 100ms;
  ServerFixture f(routes.build(), options);
  RawClient slow(f.port());
  ASSERT_TRUE(slow.send(get_request("/slow")));
  ASSERT_TRUE(eventually([&] { return f.server().in_flight() == 1; }));
  f.server().drain();
  EXPECT_TRUE(f.wait_for_run_return(2s));
  routes.release_slow = true;
}

TEST(ServerDrainTest, DrainIsCallableFromASignalCallback) {
  DrainRoutes routes;
  auto options = testing::fast_options();
  ServerHooks hooks;
  Server server(options, routes.build(), hooks);
  ASSERT_TRUE(server.listen().ok());
  std::atomic<int> seen{0};
  server.on_signal([&](int signo) {
    seen = signo;
    server.drain();
  });
  std::thread runner([&] { server.run(); });
  // Raise SIGHUP until the handler is armed and has seen it; run() then returns.
  ASSERT_TRUE(eventually([&] {
    if (seen.load() == 0) std::raise(SIGHUP);
    return seen.load() == SIGHUP;
  }));
  runner.join();
  EXPECT_TRUE(server.draining());
}

}  // namespace
}  // namespace osprey::net
