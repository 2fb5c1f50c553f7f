#include "net/url.h"

#include <gtest/gtest.h>

namespace osprey::net {
namespace {

TEST(ParseUrl, HttpWithDefaultPortAndRootTarget) {
  auto url = parse_url("http://example.com");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->target, "/");
  EXPECT_FALSE(url->tls());
}

TEST(ParseUrl, HttpsDefaultsTo443) {
  auto url = parse_url("HTTPS://api.openai.com/v1/chat/completions");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/v1/chat/completions");
  EXPECT_TRUE(url->tls());
}

TEST(ParseUrl, ExplicitPortPathAndQueryKeptFragmentDropped) {
  auto url = parse_url("http://127.0.0.1:11434/api/chat?stream=true&x=1#frag");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 11434);
  EXPECT_EQ(url->target, "/api/chat?stream=true&x=1");
  EXPECT_EQ(url->authority(), "127.0.0.1:11434");
}

TEST(ParseUrl, QueryWithoutPathGetsRootPath) {
  auto url = parse_url("http://h?a=b");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "h");
  EXPECT_EQ(url->target, "/?a=b");
}

TEST(ParseUrl, Ipv6LiteralWithAndWithoutPort) {
  auto with_port = parse_url("http://[::1]:8080/x");
  ASSERT_TRUE(with_port) << with_port.error().message;
  EXPECT_EQ(with_port->host, "::1");
  EXPECT_EQ(with_port->port, 8080);
  EXPECT_EQ(with_port->authority(), "[::1]:8080");
  auto without_port = parse_url("https://[fe80::1]/");
  ASSERT_TRUE(without_port);
  EXPECT_EQ(without_port->host, "fe80::1");
  EXPECT_EQ(without_port->port, 443);
}

TEST(ParseUrl, RejectsBadInputWithInvalidRequest) {
  for (const char* bad :
       {"", "example.com/x", "ftp://example.com/", "http://", "http:///path", "http://host:/",
        "http://host:0/", "http://host:65536/", "http://host:12ab/", "http://user:pw@host/",
        "http://[::1/", "http://[::1]x/", "http://[zz::1]/", "http://ho st/", "http://host/a b",
        "http://host/\r\nX: y", "http://bad^host/"}) {
    auto url = parse_url(bad);
    EXPECT_FALSE(url) << bad;
    if (!url) {
      EXPECT_EQ(url.code(), ErrorCode::kInvalidRequest) << bad;
      EXPECT_NE(url.error().message.find("invalid URL"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace osprey::net
