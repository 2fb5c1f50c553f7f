#include "net/lingering_close.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

namespace osprey::net {
namespace asio = boost::asio;

Task<void> lingering_close(asio::ip::tcp::socket& socket, SocketDeadline& deadline) {
  boost::system::error_code ec;
  socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) co_return;  // already disconnected: nothing left to protect
  deadline.arm(kLingerTime);
  std::vector<char> scratch(64 * 1024);
  std::size_t discarded = 0;
  while (discarded < kLingerBytes) {
    const std::size_t n = co_await socket.async_read_some(
        asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;  // EOF (the client is done), the deadline, or a reset
    discarded += n;
  }
  deadline.disarm();
}

}  // namespace osprey::net
