#pragma once
// send_now: one non-blocking sendmsg(2) of a message on a plain TCP socket. A request or
// response on an idle keep-alive connection almost always goes out whole this way; only the
// rest, if any, needs asio::async_write. Asio completes even a write that succeeded at once
// through the scheduler (a posted handler, a coroutine resumption and one more epoll_wait per
// message); writing directly skips that, as nginx does. Internal to net/.
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <span>
#include <vector>

namespace osprey::net {

// Bytes the socket took now (possibly 0). `ec` is set only for a hard error (not for a full
// send buffer); the caller then sends nothing more.
std::size_t send_now(boost::asio::ip::tcp::socket& socket,
                     std::span<const boost::asio::const_buffer> buffers,
                     boost::system::error_code& ec);

// The part of `buffers` after the first `sent` bytes.
std::vector<boost::asio::const_buffer> unsent(std::span<const boost::asio::const_buffer> buffers,
                                              std::size_t sent);

}  // namespace osprey::net
