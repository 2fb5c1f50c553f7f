#include "router/sleep_function.h"

#include "net/waiter.h"

namespace osprey::router {

net::Task<void> cancellable_sleep(std::chrono::milliseconds duration,
                                  std::shared_ptr<net::CancelToken> cancel) {
  net::Waiter waiter;  // nothing but `cancel` wakes it
  co_await waiter.wait_for(duration, cancel);
}

}  // namespace osprey::router
