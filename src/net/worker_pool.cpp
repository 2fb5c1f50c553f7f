#include "net/worker_pool.h"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

namespace osprey::net {

struct WorkerPool::Impl {
  explicit Impl(int threads) : pool(static_cast<std::size_t>(threads < 1 ? 1 : threads)) {}
  boost::asio::thread_pool pool;
  std::atomic<bool> joined{false};
};

WorkerPool::WorkerPool(int threads) : impl_(std::make_unique<Impl>(threads)) {}

WorkerPool::~WorkerPool() { join(); }

void WorkerPool::post(std::function<void()> fn) {
  if (impl_->joined.load()) throw std::logic_error("WorkerPool::post after join()");
  boost::asio::post(impl_->pool, std::move(fn));
}

void WorkerPool::join() {
  if (impl_->joined.exchange(true)) return;
  impl_->pool.join();
}

Task<void> WorkerPool::run_erased(std::function<void()> fn) {
  // A joined pool would never run the work, so the caller would wait forever.
  if (impl_->joined.load()) throw std::logic_error("WorkerPool::run after join()");
  // co_spawn + use_awaitable completes on the awaiting coroutine's executor, and carries an
  // exception thrown by fn back to it.
  co_await boost::asio::co_spawn(
      impl_->pool,
      [work = std::move(fn)]() -> Task<void> {
        work();
        co_return;
      },
      boost::asio::use_awaitable);
}

}  // namespace osprey::net
