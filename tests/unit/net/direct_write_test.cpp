// send_now and unsent: a message goes out whole on an idle socket, a full send buffer takes part
// or nothing without an error (the caller finishes with async_write), a closed peer is an error
// without SIGPIPE, and unsent() resumes exactly after the bytes that went out.
#include "net/direct_write.h"

#include <gtest/gtest.h>

#include "unit/net/socket_pair.h"

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <vector>

namespace osprey::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string joined(const std::vector<asio::const_buffer>& buffers) {
  std::string out;
  for (const auto& b : buffers) out.append(static_cast<const char*>(b.data()), b.size());
  return out;
}

TEST(DirectWriteTest, UnsentResumesAfterEverySplitPoint) {
  const std::string head = "HEAD-";
  const std::string body = "body!";
  const std::array<asio::const_buffer, 2> wire{asio::buffer(head), asio::buffer(body)};
  const std::string all = head + body;
  for (std::size_t sent = 0; sent <= all.size(); ++sent) {
    const std::vector<asio::const_buffer> rest = unsent(wire, sent);
    EXPECT_EQ(joined(rest), all.substr(sent)) << "after " << sent << " bytes";
    for (const auto& b : rest) EXPECT_NE(b.size(), 0U) << "after " << sent << " bytes";
  }
}

TEST(DirectWriteTest, IdleSocketTakesTheWholeMessage) {
  SocketPair pair;
  const std::string head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string body;  // an empty body buffer is skipped, not sent as a zero-length iovec
  const std::array<asio::const_buffer, 2> wire{asio::buffer(head), asio::buffer(body)};
  boost::system::error_code ec;
  EXPECT_EQ(send_now(pair.client, wire, ec), head.size());
  EXPECT_FALSE(ec) << ec.message();
  std::string got(head.size(), '\0');
  asio::read(pair.server, asio::buffer(got));
  EXPECT_EQ(got, head);
}

TEST(DirectWriteTest, FullSendBufferTakesPartOrNothingWithoutError) {
  SocketPair pair;
  pair.client.set_option(asio::socket_base::send_buffer_size(4096));
  pair.server.set_option(asio::socket_base::receive_buffer_size(4096));
  const std::string chunk(64 * 1024, 'x');
  const std::array<asio::const_buffer, 1> wire{asio::buffer(chunk)};
  std::size_t total = 0;
  bool short_write = false;
  // Nobody reads: sooner or later the socket takes less than offered, then nothing.
  for (int i = 0; i < 1000; ++i) {
    boost::system::error_code ec;
    const std::size_t n = send_now(pair.client, wire, ec);
    ASSERT_FALSE(ec) << ec.message();
    total += n;
    if (n < chunk.size()) short_write = true;
    if (n == 0) break;
  }
  EXPECT_TRUE(short_write);
  // Whatever was taken arrives intact; async_write then sends the rest.
  std::string got(total, '\0');
  asio::read(pair.server, asio::buffer(got));
  EXPECT_EQ(got, std::string(total, 'x'));
}

TEST(DirectWriteTest, ClosedPeerIsAnErrorNotASignal) {
  SocketPair pair;
  pair.server.close();
  const std::string data(1024, 'y');
  const std::array<asio::const_buffer, 1> wire{asio::buffer(data)};
  boost::system::error_code ec;
  // The first send may still be accepted (the RST is not back yet); the next ones fail.
  for (int i = 0; i < 100 && !ec; ++i) send_now(pair.client, wire, ec);
  EXPECT_TRUE(ec == asio::error::broken_pipe || ec == asio::error::connection_reset)
      << ec.message();
}

}  // namespace
}  // namespace osprey::net
