#pragma once
// run_task(): runs one coroutine to completion on a fresh io_context, on the calling thread.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <utility>

#include "net/task.h"

namespace osprey::net::testing {

// Returns the task's result, rethrowing its exception.
template <typename T>
T run_task(Task<T> task) {
  boost::asio::io_context ioc;
  auto fut = boost::asio::co_spawn(ioc, std::move(task), boost::asio::use_future);
  ioc.run();
  return fut.get();
}

}  // namespace osprey::net::testing
