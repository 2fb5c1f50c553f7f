#pragma once
// Task<T>: the coroutine type of every asynchronous operation in Osprey. Handlers and clients
// read like synchronous code with co_await; only this alias leaks Asio out of net/.
#include <boost/asio/awaitable.hpp>

namespace osprey::net {

template <typename T = void>
using Task = boost::asio::awaitable<T>;

}  // namespace osprey::net
