// SIGTERM drains: in-flight requests finish, /readyz turns 503, new connections are refused, open
// event streams get a final event, and the process exits 0.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "http_client.h"
#include "metrics_text.h"
#include "osprey_process.h"

namespace osprey::testing {
namespace {

using namespace std::chrono_literals;

TEST(GracefulShutdown, SigtermLetsTwentySlowRequestsFinish) {
  auto server = OspreyProcess::start();
  ASSERT_NE(server, nullptr);
  const auto port = server->port();

  // A keep-alive connection opened before the signal, to watch /readyz during the drain.
  Connection watcher;
  ASSERT_TRUE(watcher.connect(port));
  ASSERT_TRUE(watcher.send_request("GET", "/readyz"));
  ASSERT_EQ(watcher.read_response().status, 200);

  // An open event stream.
  Connection stream;
  ASSERT_TRUE(stream.connect(port));
  ASSERT_TRUE(stream.send_request("GET", "/debug/sse?events=1000&interval_ms=50"));

  constexpr int kSlow = 20;
  std::vector<int> statuses(kSlow, 0);
  std::vector<std::thread> clients;
  for (int i = 0; i < kSlow; ++i) {
    clients.emplace_back([&statuses, i, port] {
      statuses[i] = http_request(port, "GET", "/debug/sleep?ms=2000").status;
    });
  }
  // Wait until all 20 (plus the stream) are in flight, as the server itself counts them.
  double in_flight = 0;
  for (int i = 0; i < 200 && in_flight < kSlow + 2; ++i) {
    std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(watcher.send_request("GET", "/metrics"));
    in_flight = metric_value(watcher.read_response().body, "osprey_http_requests_in_flight", {});
  }
  ASSERT_GE(in_flight, kSlow + 2) << "slow requests never got in flight";

  server->signal(SIGTERM);
  std::this_thread::sleep_for(200ms);

  ASSERT_TRUE(watcher.send_request("GET", "/readyz"));
  HttpResponse readyz = watcher.read_response();
  EXPECT_EQ(readyz.status, 503) << readyz.body;
  EXPECT_EQ(nlohmann::json::parse(readyz.body)["draining"], true);
  EXPECT_EQ(readyz.header("connection"), "close");
  EXPECT_FALSE(can_connect(port)) << "new connections must be refused while draining";

  for (auto& t : clients) t.join();
  for (int i = 0; i < kSlow; ++i) EXPECT_EQ(statuses[i], 200) << "request " << i;

  HttpResponse events = stream.read_response(10s);
  EXPECT_EQ(events.status, 200);
  EXPECT_NE(events.body.find("event: tick"), std::string::npos);
  EXPECT_NE(events.body.find("event: shutdown"), std::string::npos) << events.body;

  EXPECT_EQ(server->wait_exit(15s), 0) << server->stderr_text();
}

TEST(GracefulShutdown, SecondSignalForcesExit) {
  auto server = OspreyProcess::start({.args = {"--set", "server.drain_timeout_ms=60000"}});
  ASSERT_NE(server, nullptr);
  std::thread slow([port = server->port()] { http_request(port, "GET", "/debug/sleep?ms=30000"); });
  std::this_thread::sleep_for(300ms);
  server->signal(SIGTERM);
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(server->running()) << "a slow request must hold the drain open";
  server->signal(SIGINT);
  const int code = server->wait_exit(5s);
  EXPECT_NE(code, -1) << "second signal did not force an exit";
  EXPECT_NE(code, 0);
  slow.join();
}

}  // namespace
}  // namespace osprey::testing
