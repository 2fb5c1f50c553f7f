#include "net/concurrent_tasks.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <utility>

#include "net/waiter.h"

namespace osprey::net {
namespace {

struct Batch {
  std::vector<TaskFactory> jobs;
  std::mutex mu;  // guards next and running
  std::size_t next = 0;
  std::size_t running = 0;  // workers still taking jobs
  Waiter done;              // woken by the last worker to finish
};

// Takes jobs one after another until none is left; the last worker out wakes the caller.
Task<void> worker(std::shared_ptr<Batch> batch) {
  for (;;) {
    std::size_t index = 0;
    {
      std::lock_guard lock(batch->mu);
      if (batch->next == batch->jobs.size()) {
        if (--batch->running == 0) batch->done.wake();
        co_return;
      }
      index = batch->next++;
    }
    try {
      co_await batch->jobs[index]();
    } catch (...) {
      // Dropped on purpose (see the header); the other jobs still run.
    }
  }
}

}  // namespace

Task<void> run_concurrently(std::vector<TaskFactory> jobs, std::size_t max_in_flight) {
  if (jobs.empty()) co_return;
  auto executor = co_await boost::asio::this_coro::executor;
  auto batch = std::make_shared<Batch>();
  batch->jobs = std::move(jobs);
  const std::size_t workers = std::min(batch->jobs.size(), std::max<std::size_t>(max_in_flight, 1));
  batch->running = workers;
  for (std::size_t i = 0; i < workers; ++i) {
    boost::asio::co_spawn(executor, worker(batch), boost::asio::detached);
  }
  // Every job is bounded by its own deadline; the wait needs none of its own.
  const auto forever = std::chrono::hours(24 * 365);
  co_await batch->done.wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(forever));
}

}  // namespace osprey::net
