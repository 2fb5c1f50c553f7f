#pragma once
// Lingering close: after an error response on a connection whose client may still be sending
// (a 413 while a large body is in flight), closing at once would make the kernel answer the
// unread bytes with a TCP RST, and the client would often lose the response. Instead the send
// side is shut down and input is read and discarded for a bounded time and volume.
// Runs on the connection's strand.
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>

#include "net/socket_deadline.h"
#include "net/task.h"

namespace osprey::net {

inline constexpr std::chrono::milliseconds kLingerTime{1000};
inline constexpr std::size_t kLingerBytes = 64 * 1024 * 1024;

// Returns once the client closed its side, or the time or byte budget is spent. Does not close
// the socket; the caller does.
Task<void> lingering_close(boost::asio::ip::tcp::socket& socket, SocketDeadline& deadline);

}  // namespace osprey::net
