// cancellable_sleep: the router's real wait (retry backoff, health check intervals) ends at its
// time or when its token fires, and wakes its I/O thread once, not every few milliseconds.
#include "router/sleep_function.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>

namespace osprey::router {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct SleepRun {
  Clock::duration took{};
  std::size_t handlers = 0;  // completion handlers the io_context ran for the sleep
};

SleepRun run_sleep(std::chrono::milliseconds d, std::shared_ptr<net::CancelToken> cancel) {
  boost::asio::io_context io;
  bool done = false;
  boost::asio::co_spawn(
      io,
      [&]() -> net::Task<void> {
        co_await cancellable_sleep(d, std::move(cancel));
        done = true;
      },
      boost::asio::detached);
  SleepRun run;
  const auto started = Clock::now();
  while (!done && io.run_one() > 0) ++run.handlers;
  run.took = Clock::now() - started;
  EXPECT_TRUE(done);
  return run;
}

TEST(CancellableSleepTest, SleepsForTheWholeDurationWithoutPolling) {
  const SleepRun run = run_sleep(300ms, std::make_shared<net::CancelToken>());
  EXPECT_GE(run.took, 300ms);
  // Spawn, the timer's completion and the resumptions: a handful, where 20 ms slices ran 15+.
  EXPECT_LE(run.handlers, 6u);
}

TEST(CancellableSleepTest, WithoutATokenSleepsTheDuration) {
  const SleepRun run = run_sleep(30ms, nullptr);
  EXPECT_GE(run.took, 30ms);
}

TEST(CancellableSleepTest, CancelFromAnotherThreadEndsTheSleep) {
  auto cancel = std::make_shared<net::CancelToken>();
  std::thread canceller([cancel] {
    std::this_thread::sleep_for(20ms);
    cancel->cancel();
  });
  const SleepRun run = run_sleep(60s, cancel);
  canceller.join();
  EXPECT_LT(run.took, 30s);
}

TEST(CancellableSleepTest, AnAlreadyCancelledTokenReturnsAtOnce) {
  auto cancel = std::make_shared<net::CancelToken>();
  cancel->cancel();
  const SleepRun run = run_sleep(60s, cancel);
  EXPECT_LT(run.took, 30s);
}

}  // namespace
}  // namespace osprey::router
