#include "net/worker_pool.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <stdexcept>
#include <thread>

#include "net/sleep.h"
#include "unit/net/run_task.h"

namespace osprey::net {
namespace {

using testing::run_task;

TEST(WorkerPoolTest, RunReturnsValueComputedOnAWorkerThread) {
  WorkerPool pool(2);
  const auto caller = std::this_thread::get_id();
  auto [value, worker, resumed] =
      run_task([&]() -> Task<std::tuple<int, std::thread::id, std::thread::id>> {
        std::thread::id on;
        const int v = co_await pool.run([&] {
          on = std::this_thread::get_id();
          return 41 + 1;
        });
        co_return std::tuple{v, on, std::this_thread::get_id()};
      }());
  EXPECT_EQ(value, 42);
  EXPECT_NE(worker, caller);
  EXPECT_EQ(resumed, caller);  // resumed on the io_context's thread, not the pool's
}

TEST(WorkerPoolTest, RunPropagatesExceptions) {
  WorkerPool pool(1);
  EXPECT_THROW(run_task([&]() -> Task<int> {
                 co_return co_await pool.run([]() -> int { throw std::runtime_error("boom"); });
               }()),
               std::runtime_error);
}

TEST(WorkerPoolTest, RunSupportsVoidAndPostRuns) {
  WorkerPool pool(1);
  int ran = 0;
  run_task([&]() -> Task<void> { co_await pool.run([&] { ran = 1; }); }());
  EXPECT_EQ(ran, 1);
  std::atomic<int> posted{0};
  pool.post([&] { posted = 1; });
  pool.join();
  pool.join();  // idempotent
  EXPECT_EQ(posted.load(), 1);
}

TEST(WorkerPoolTest, RunAfterJoinFailsInsteadOfHanging) {
  WorkerPool pool(1);
  pool.join();
  EXPECT_THROW(run_task([&]() -> Task<int> { co_return co_await pool.run([] { return 1; }); }()),
               std::logic_error);
}

TEST(SleepForTest, ResumesAfterTheTimer) {
  const auto start = std::chrono::steady_clock::now();
  run_task([]() -> Task<void> { co_await sleep_for(std::chrono::milliseconds(20)); }());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));
}

}  // namespace
}  // namespace osprey::net
