#include "net/direct_write.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

namespace osprey::net {

namespace {
constexpr std::size_t kMaxIov = 8;  // our messages are a head and a body
}

std::size_t send_now(boost::asio::ip::tcp::socket& socket,
                     std::span<const boost::asio::const_buffer> buffers,
                     boost::system::error_code& ec) {
  ec.clear();
  iovec iov[kMaxIov];
  std::size_t count = 0;
  for (const boost::asio::const_buffer& b : buffers) {
    if (b.size() == 0) continue;
    if (count == kMaxIov) break;                        // the rest goes out with async_write
    iov[count].iov_base = const_cast<void*>(b.data());  // sendmsg only reads it
    iov[count].iov_len = b.size();
    ++count;
  }
  if (count == 0) return 0;
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  // MSG_DONTWAIT: this call never blocks, whatever mode the descriptor is in.
  ssize_t sent = -1;
  do {
    sent = ::sendmsg(socket.native_handle(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent >= 0) return static_cast<std::size_t>(sent);
  if (errno != EAGAIN && errno != EWOULDBLOCK) {
    ec.assign(errno, boost::asio::error::get_system_category());
  }
  return 0;
}

std::vector<boost::asio::const_buffer> unsent(std::span<const boost::asio::const_buffer> buffers,
                                              std::size_t sent) {
  std::vector<boost::asio::const_buffer> rest;
  for (const boost::asio::const_buffer& b : buffers) {
    if (sent >= b.size()) {
      sent -= b.size();
      continue;
    }
    rest.push_back(b + sent);
    sent = 0;
  }
  return rest;
}

}  // namespace osprey::net
