#include "net/concurrent_tasks.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <stdexcept>

#include "net/sleep.h"
#include "unit/net/test_upstream.h"

namespace osprey::net {
namespace {

struct Tally {
  int in_flight = 0;
  int peak = 0;
  int finished = 0;
};

Task<void> counted_job(Tally& tally, bool fail) {
  ++tally.in_flight;
  tally.peak = std::max(tally.peak, tally.in_flight);
  co_await sleep_for(std::chrono::milliseconds(2));
  --tally.in_flight;
  ++tally.finished;
  if (fail) throw std::runtime_error("job failed");
}

TEST(RunConcurrently, RunsEveryJobAtMostCapAtATime) {
  boost::asio::io_context io;
  Tally tally;
  bool returned = false;
  fakes::run_on(io, [&]() -> Task<void> {
    std::vector<TaskFactory> jobs;
    for (int i = 0; i < 5; ++i) {
      jobs.push_back([&tally, i] { return counted_job(tally, i == 1); });  // one job throws
    }
    co_await run_concurrently(std::move(jobs), 2);
    returned = true;
  });
  EXPECT_TRUE(returned);
  EXPECT_EQ(tally.finished, 5);
  EXPECT_EQ(tally.in_flight, 0);
  EXPECT_EQ(tally.peak, 2);
}

TEST(RunConcurrently, NoJobsReturnsAtOnce) {
  boost::asio::io_context io;
  bool returned = false;
  fakes::run_on(io, [&]() -> Task<void> {
    std::vector<TaskFactory> none;  // named: GCC 12 mishandles braced temporaries in co_await
    co_await run_concurrently(std::move(none), 4);
    returned = true;
  });
  EXPECT_TRUE(returned);
}

}  // namespace
}  // namespace osprey::net
