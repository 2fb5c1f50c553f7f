#include "store/connection_pool.h"

#include <gtest/gtest.h>

#include <thread>

namespace osprey::store {
namespace {

using namespace std::chrono_literals;

std::vector<std::unique_ptr<int>> slots(std::initializer_list<int> values) {
  std::vector<std::unique_ptr<int>> out;
  for (int v : values) out.push_back(std::make_unique<int>(v));
  return out;
}

TEST(ConnectionPool, AcquireFailsWhenEverySlotIsLeased) {
  ConnectionPool<int> pool(slots({1}));
  auto first = pool.acquire(0ms);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(pool.acquire(10ms).has_value());
}

TEST(ConnectionPool, ReleasedSlotIsHandedOutAgain) {
  ConnectionPool<int> pool(slots({7}));
  {
    auto lease = pool.acquire(0ms);
    ASSERT_TRUE(lease.has_value());
    EXPECT_EQ(**lease, 7);
  }
  auto again = pool.acquire(0ms);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(**again, 7);
}

TEST(ConnectionPool, WaitingAcquireGetsTheSlotWhenReleased) {
  ConnectionPool<int> pool(slots({3}));
  auto held = pool.acquire(0ms);
  ASSERT_TRUE(held.has_value());
  std::optional<int> seen;
  std::thread waiter([&] {
    auto lease = pool.acquire(60s);
    if (lease) seen = **lease;
  });
  held.reset();
  waiter.join();
  EXPECT_EQ(seen, 3);
}

TEST(ConnectionPool, EmptySlotFilledThroughTheLeaseStaysFilled) {
  std::vector<std::unique_ptr<int>> empty;
  empty.push_back(nullptr);
  ConnectionPool<int> pool(std::move(empty));
  {
    auto lease = pool.acquire(0ms);
    ASSERT_TRUE(lease.has_value());
    EXPECT_EQ(lease->slot(), nullptr);
    lease->slot() = std::make_unique<int>(42);
  }
  auto again = pool.acquire(0ms);
  ASSERT_TRUE(again.has_value());
  ASSERT_NE(again->slot(), nullptr);
  EXPECT_EQ(**again, 42);
  EXPECT_EQ(pool.size(), 1u);
}

}  // namespace
}  // namespace osprey::store
