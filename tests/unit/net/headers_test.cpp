#include "net/headers.h"

#include <gtest/gtest.h>

#include <string>

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
  EXPECT_EQ(h.fields()[1].value, "b=2");
}

TEST(HeadersTest, EraseRemovesAllCases) {
  Headers h;
  h.add("X-A", "1");
  h.add("x-A", "2");
  h.erase("X-A");
  EXPECT_TRUE(h.empty());
}

TEST(HeadersTest, SetAcceptsAValueReadFromTheSameHeaders) {
  Headers h;
  h.add("X-Long-Source-Name", "a value long enough to live on the heap");
  h.set("X-Copy", h.get("x-long-source-name"));
  h.set("X-Long-Source-Name", h.get("X-Copy"));
  h.add(h.fields()[0].name, h.fields()[0].value);
  ASSERT_EQ(h.fields().size(), 3u);
  EXPECT_EQ(h.fields()[0].name, "X-Copy");
  EXPECT_EQ(h.fields()[1].value, "a value long enough to live on the heap");
  EXPECT_EQ(h.fields()[2].name, "X-Copy");
  EXPECT_EQ(h.fields()[2].value, "a value long enough to live on the heap");
}

TEST(HeadersTest, ManyReplacementsKeepEveryFieldIntact) {
  // set() leaves the replaced bytes behind until they outweigh the live ones; whatever the
  // buffer does in between, every field must read back as last written, in order.
  Headers h;
  h.add("Host", "example.com");
  for (int i = 0; i < 1000; ++i) {
    h.set("X-Counter", std::to_string(i));
    h.set("X-Other", std::string(static_cast<std::size_t>(i % 40), 'v'));
    ASSERT_EQ(h.fields().size(), 3u);
    ASSERT_EQ(h.get("host"), "example.com");
    ASSERT_EQ(h.get("x-counter"), std::to_string(i));
    ASSERT_EQ(h.fields()[2].value, std::string(static_cast<std::size_t>(i % 40), 'v'));
  }
  h.erase("x-counter");
  h.erase("x-other");
  h.erase("host");
  EXPECT_TRUE(h.empty());
  h.add("A", "1");
  EXPECT_EQ(h.get("a"), "1");
}

TEST(HeadersTest, FieldsIterateInOrderWithStructuredBindings) {
  Headers h;
  h.add("A", "1");
  h.add("B", "2");
  std::string seen;
  for (const auto& [name, value] : h.fields())
    seen += std::string(name) + "=" + std::string(value) + ";";
  EXPECT_EQ(seen, "A=1;B=2;");
  const Headers copy = h;
  h.set("A", "changed");
  EXPECT_EQ(copy.get("a"), "1");
}

TEST(HeadersTest, IequalsComparesLengthAndLetters) {
  EXPECT_TRUE(iequals("Keep-Alive", "keep-alive"));
  EXPECT_FALSE(iequals("keep-alive", "keep-alive2"));
  EXPECT_FALSE(iequals("a-b", "a_b"));
}

}  // namespace
}  // namespace osprey::net
