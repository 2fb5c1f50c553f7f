// net::Waiter: woken from another thread, timing out, and a wake before the wait.
#include "net/waiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>

#include "unit/net/run_task.h"

namespace osprey::net {
namespace {

using namespace std::chrono_literals;

using testing::run_task;

TEST(WaiterTest, WakeFromAnotherThreadResumesOnTheWaitingThread) {
  Waiter waiter;
  std::atomic<bool> waiting{false};
  std::thread waker([&] {
    while (!waiting.load()) std::this_thread::yield();
    std::this_thread::sleep_for(20ms);  // let the coroutine suspend (either order must work)
    waiter.wake();
  });
  const auto caller = std::this_thread::get_id();
  const auto started = std::chrono::steady_clock::now();
  auto [woken, resumed_on] = run_task([&]() -> Task<std::pair<bool, std::thread::id>> {
    waiting = true;
    const std::chrono::milliseconds timeout = 60s;
    const bool w = co_await waiter.wait_for(timeout);
    co_return std::pair{w, std::this_thread::get_id()};
  }());
  waker.join();
  EXPECT_TRUE(woken);
  EXPECT_EQ(resumed_on, caller);
  // io.run() returned long before the 60 s timer: the wake cancelled it.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
}

TEST(WaiterTest, TimesOutWhenNobodyWakes) {
  Waiter waiter;
  const auto started = std::chrono::steady_clock::now();
  const bool woken = run_task([&]() -> Task<bool> {
    const std::chrono::milliseconds timeout = 30ms;
    co_return co_await waiter.wait_for(timeout);
  }());
  EXPECT_FALSE(woken);
  EXPECT_FALSE(waiter.woken());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 30ms);
}

TEST(WaiterTest, WakeBeforeWaitReturnsAtOnce) {
  Waiter waiter;
  waiter.wake();
  waiter.wake();  // idempotent
  const bool woken = run_task([&]() -> Task<bool> {
    const std::chrono::milliseconds timeout = 60s;
    co_return co_await waiter.wait_for(timeout);
  }());
  EXPECT_TRUE(woken);
}

TEST(WaiterTest, ManyWaitersWokenFromManyThreadsAllResume) {
  constexpr int kWaiters = 200;
  std::vector<std::shared_ptr<Waiter>> waiters;
  for (int i = 0; i < kWaiters; ++i) waiters.push_back(std::make_shared<Waiter>());
  boost::asio::io_context ioc;
  std::atomic<int> woken{0};
  for (auto& w : waiters) {
    boost::asio::co_spawn(
        ioc,
        [w, &woken]() -> Task<void> {
          const std::chrono::milliseconds timeout = 60s;
          if (co_await w->wait_for(timeout)) ++woken;
        },
        boost::asio::detached);
  }
  std::vector<std::thread> wakers;
  for (int t = 0; t < 4; ++t) {
    wakers.emplace_back([&, t] {
      for (int i = t; i < kWaiters; i += 4) waiters[i]->wake();
    });
  }
  std::vector<std::thread> runners;
  for (int t = 0; t < 2; ++t) runners.emplace_back([&] { ioc.run(); });
  for (auto& t : wakers) t.join();
  for (auto& t : runners) t.join();
  EXPECT_EQ(woken.load(), kWaiters);
}

TEST(WaiterTest, ACancelFromAnotherThreadEndsTheWait) {
  Waiter waiter;
  auto cancel = std::make_shared<CancelToken>();
  std::thread canceller([cancel] {
    std::this_thread::sleep_for(20ms);
    cancel->cancel();
  });
  const auto started = std::chrono::steady_clock::now();
  const bool woken = run_task([&]() -> Task<bool> {
    const std::chrono::milliseconds timeout = 60s;
    co_return co_await waiter.wait_for(timeout, cancel);
  }());
  canceller.join();
  EXPECT_TRUE(woken);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
}

TEST(WaiterTest, WithACancelTokenThatNeverFiresTimesOut) {
  Waiter waiter;
  auto cancel = std::make_shared<CancelToken>();
  const bool woken = run_task([&]() -> Task<bool> {
    const std::chrono::milliseconds timeout = 30ms;
    co_return co_await waiter.wait_for(timeout, cancel);
  }());
  EXPECT_FALSE(woken);
  cancel->cancel();  // after the wait: its subscription was removed, nothing runs
  EXPECT_FALSE(waiter.woken());
}

}  // namespace
}  // namespace osprey::net
