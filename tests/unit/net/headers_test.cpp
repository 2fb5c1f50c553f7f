#include "net/headers.h"

#include <gtest/gtest.h>

namespace osprey::net {
namespace {

TEST(HeadersTest, LookupIsCaseInsensitive) {
  Headers h;
  h.add("Content-Type", "application/json");
  EXPECT_EQ(h.get("content-type"), "application/json");
  EXPECT_EQ(h.get("CONTENT-TYPE"), "application/json");
  EXPECT_TRUE(h.has("cOnTeNt-TyPe"));
  EXPECT_FALSE(h.has("Content-Length"));
  EXPECT_EQ(h.get("missing"), "");
}

TEST(HeadersTest, SetReplacesEveryFieldOfThatName) {
  Headers h;
  h.add("X-A", "1");
  h.add("x-a", "2");
  h.add("X-B", "3");
  h.set("X-a", "4");
  ASSERT_EQ(h.fields().size(), 2u);
  EXPECT_EQ(h.get("x-a"), "4");
  EXPECT_EQ(h.get("x-b"), "3");
}

TEST(HeadersTest, AddKeepsOrderAndGetReturnsFirst) {
  Headers h;
  h.add("Set-Cookie", "a=1");
  h.add("Set-Cookie", "b=2");
  EXPECT_EQ(h.get("set-cookie"), "a=1");
  EXPECT_EQ(h.fields()[1].second, "b=2");
}

TEST(HeadersTest, EraseRemovesAllCases) {
  Headers h;
  h.add("X-A", "1");
  h.add("x-A", "2");
  h.erase("X-A");
  EXPECT_TRUE(h.empty());
}

TEST(HeadersTest, IequalsComparesLengthAndLetters) {
  EXPECT_TRUE(iequals("Keep-Alive", "keep-alive"));
  EXPECT_FALSE(iequals("keep-alive", "keep-alive2"));
  EXPECT_FALSE(iequals("a-b", "a_b"));
}

}  // namespace
}  // namespace osprey::net
