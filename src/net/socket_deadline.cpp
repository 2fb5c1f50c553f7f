#include "net/socket_deadline.h"

namespace osprey::net {

SocketDeadline::SocketDeadline(boost::asio::ip::tcp::socket& socket)
    : socket_(socket), timer_(socket.get_executor(), [this] {
        expired_ = true;
        boost::system::error_code ignored;
        socket_.cancel(ignored);
      }) {}

void SocketDeadline::arm_at(std::chrono::steady_clock::time_point when) {
  expired_ = false;
  timer_.arm_at(when);
}

}  // namespace osprey::net
