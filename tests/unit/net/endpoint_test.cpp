#include "net/endpoint.h"

#include <gtest/gtest.h>

namespace osprey::net {
namespace {

TEST(Endpoint, KeepsTheTextAndTheParsedParts) {
  auto endpoint = make_endpoint("http://127.0.0.1:11434/v1/chat/completions?x=1#frag");
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  const Endpoint& e = **endpoint;
  EXPECT_EQ(e.text, "http://127.0.0.1:11434/v1/chat/completions?x=1#frag");
  EXPECT_EQ(e.url.host, "127.0.0.1");
  EXPECT_EQ(e.url.port, 11434);
  EXPECT_EQ(e.url.target, "/v1/chat/completions?x=1");
  EXPECT_EQ(e.authority, "127.0.0.1:11434");
  EXPECT_EQ(e.pool_key, "http://127.0.0.1:11434");
  EXPECT_EQ(e.host_field, "127.0.0.1:11434");
}

TEST(Endpoint, HostFieldOmitsTheDefaultPortButTheAuthorityKeepsIt) {
  struct Case {
    const char* url;
    const char* host_field;
    const char* authority;
    const char* pool_key;
  };
  const Case cases[] = {
      {"http://example.com/x", "example.com", "example.com:80", "http://example.com:80"},
      {"http://example.com:80/x", "example.com", "example.com:80", "http://example.com:80"},
      {"HTTPS://api.example.com", "api.example.com", "api.example.com:443",
       "https://api.example.com:443"},
      {"https://api.example.com:80/", "api.example.com:80", "api.example.com:80",
       "https://api.example.com:80"},
      {"http://h:443/", "h:443", "h:443", "http://h:443"},
      {"http://[::1]/v1", "[::1]", "[::1]:80", "http://[::1]:80"},
      {"https://[::1]:8443/v1", "[::1]:8443", "[::1]:8443", "https://[::1]:8443"},
  };
  for (const Case& c : cases) {
    auto endpoint = make_endpoint(c.url);
    ASSERT_TRUE(endpoint) << c.url << ": " << endpoint.error().message;
    EXPECT_EQ((*endpoint)->host_field, c.host_field) << c.url;
    EXPECT_EQ((*endpoint)->authority, c.authority) << c.url;
    EXPECT_EQ((*endpoint)->pool_key, c.pool_key) << c.url;
  }
}

TEST(Endpoint, FailsAsParseUrlDoes) {
  for (const char* bad : {"", "ftp://h/", "http://", "http://h:0/", "http://u@h/", "http://h /"}) {
    auto endpoint = make_endpoint(bad);
    auto url = parse_url(bad);
    ASSERT_FALSE(endpoint) << bad;
    ASSERT_FALSE(url) << bad;
    EXPECT_EQ(endpoint.error().code, url.error().code) << bad;
    EXPECT_EQ(endpoint.error().message, url.error().message) << bad;
  }
}

}  // namespace
}  // namespace osprey::net
