#include "net/sleep.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace osprey::net {

Task<void> sleep_for(std::chrono::milliseconds d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  timer.expires_after(d);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

}  // namespace osprey::net
