#pragma once
// WorkerPool: threads for blocking work (database, disk, CPU-heavy engines), so that I/O
// threads never block. A coroutine awaits run(); it resumes on its own executor afterwards.
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "net/task.h"

namespace osprey::net {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();  // joins the threads
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `fn` on a worker thread and resumes the awaiting coroutine with its result. An
  // exception thrown by fn is rethrown in the awaiting coroutine.
  template <typename F>
  Task<std::invoke_result_t<F&>> run(F fn) {
    using R = std::invoke_result_t<F&>;
    if constexpr (std::is_void_v<R>) {
      co_await run_erased([&fn] { fn(); });
    } else {
      std::optional<R> out;
      co_await run_erased([&fn, &out] { out.emplace(fn()); });
      co_return std::move(*out);
    }
  }

  // Fire-and-forget: queue `fn` on a worker thread.
  void post(std::function<void()> fn);
  // Stops accepting work, finishes queued work, joins the threads. Idempotent.
  void join();

 private:
  Task<void> run_erased(std::function<void()> fn);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace osprey::net
