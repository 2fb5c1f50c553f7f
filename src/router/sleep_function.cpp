#include "router/sleep_function.h"

#include "net/sleep.h"
#include "net/waiter.h"

namespace osprey::router {

net::Task<void> cancellable_sleep(std::chrono::milliseconds duration,
                                  std::shared_ptr<net::CancelToken> cancel) {
  if (!cancel) {
    co_await net::sleep_for(duration);
    co_return;
  }
  // Shared: cancel() may run the callback on another thread while this coroutine resumes.
  auto waiter = std::make_shared<net::Waiter>();
  const net::CancelToken::SubscriptionId id = cancel->subscribe([waiter] { waiter->wake(); });
  co_await waiter->wait_for(duration);
  cancel->unsubscribe(id);
}

}  // namespace osprey::router
