// SocketDeadline: a deadline cancels the pending read, a later re-arm postpones it, an earlier
// one brings it forward, disarm stops it, and release leaves no timer wait behind.
#include "net/socket_deadline.h"

#include <gtest/gtest.h>

#include "unit/net/socket_pair.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <chrono>

namespace osprey::net {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Starts a read on the pair's server socket and runs the loop until it ends or `limit` passes;
// returns how long the read waited (or `limit` when it never ended).
Clock::duration read_until_cancelled(SocketPair& pair, Clock::duration limit, bool* aborted) {
  char byte = 0;
  const auto started = Clock::now();
  Clock::duration waited = limit;
  *aborted = false;
  pair.server.async_read_some(asio::buffer(&byte, 1),
                              [&](boost::system::error_code ec, std::size_t) {
                                waited = Clock::now() - started;
                                *aborted = ec == asio::error::operation_aborted;
                              });
  pair.ioc.run_for(limit);
  return waited;
}

TEST(SocketDeadlineTest, CancelsThePendingReadWhenItPasses) {
  SocketPair pair;
  SocketDeadline deadline(pair.server);
  deadline.arm(50ms);
  bool aborted = false;
  const auto waited = read_until_cancelled(pair, 5s, &aborted);
  EXPECT_TRUE(aborted);
  EXPECT_TRUE(deadline.expired());
  EXPECT_GE(waited, 50ms);
  EXPECT_LT(waited, 4s);
  EXPECT_TRUE(pair.server.is_open());  // cancelled, not closed: the server can still answer
}

TEST(SocketDeadlineTest, ALaterReArmPostponesIt) {
  SocketPair pair;
  SocketDeadline deadline(pair.server);
  deadline.arm(30ms);
  deadline.disarm();
  deadline.arm(400ms);  // the first wait fires at 30 ms and must wait again
  bool aborted = false;
  const auto waited = read_until_cancelled(pair, 5s, &aborted);
  EXPECT_TRUE(aborted);
  EXPECT_GE(waited, 400ms);
}

TEST(SocketDeadlineTest, AnEarlierReArmBringsItForward) {
  SocketPair pair;
  SocketDeadline deadline(pair.server);
  deadline.arm(1h);
  deadline.arm(50ms);
  bool aborted = false;
  const auto waited = read_until_cancelled(pair, 5s, &aborted);
  EXPECT_TRUE(aborted);
  EXPECT_LT(waited, 4s);
}

TEST(SocketDeadlineTest, DisarmStopsIt) {
  SocketPair pair;
  SocketDeadline deadline(pair.server);
  deadline.arm(30ms);
  deadline.disarm();
  bool aborted = false;
  read_until_cancelled(pair, 300ms, &aborted);
  EXPECT_FALSE(aborted);
  EXPECT_FALSE(deadline.expired());
}

TEST(SocketDeadlineTest, ReleaseLeavesNoWaitToKeepTheLoopBusy) {
  SocketPair pair;
  SocketDeadline deadline(pair.server);
  deadline.arm(1h);
  deadline.disarm();
  // A disarmed deadline still has its timer wait pending: the loop has work until it fires.
  EXPECT_EQ(pair.ioc.run_for(50ms), 0u);
  EXPECT_FALSE(pair.ioc.stopped());
  deadline.release();
  const auto started = Clock::now();
  pair.ioc.run_for(5s);  // returns once the cancelled wait's handler ran: no work is left
  EXPECT_LT(Clock::now() - started, 4s);
  EXPECT_TRUE(pair.ioc.stopped());
  EXPECT_FALSE(deadline.expired());
}

TEST(SocketDeadlineTest, ArmingAfterReleaseStillFires) {
  SocketPair pair;
  SocketDeadline deadline(pair.server);
  deadline.arm(1h);
  deadline.release();
  deadline.arm(50ms);
  bool aborted = false;
  const auto waited = read_until_cancelled(pair, 5s, &aborted);
  EXPECT_TRUE(aborted);
  EXPECT_TRUE(deadline.expired());
  EXPECT_LT(waited, 4s);
}

TEST(SocketDeadlineTest, ReArmingClearsExpired) {
  SocketPair pair;
  SocketDeadline deadline(pair.server);
  deadline.arm(10ms);
  bool aborted = false;
  read_until_cancelled(pair, 5s, &aborted);
  ASSERT_TRUE(deadline.expired());
  deadline.arm(1h);
  EXPECT_FALSE(deadline.expired());
}

}  // namespace
}  // namespace osprey::net
