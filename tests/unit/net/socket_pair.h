#pragma once
// SocketPair: a connected TCP pair on loopback with its own io_context, for socket-level tests.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace osprey::net {

struct SocketPair {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket client{ioc};
  boost::asio::ip::tcp::socket server{ioc};
  SocketPair() {
    using boost::asio::ip::tcp;
    tcp::acceptor acceptor(ioc, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }
};

}  // namespace osprey::net
