// is_served_request_target: origin-form for any method, "*" only for OPTIONS; the forms meant
// for proxies and targets without a leading slash are refused.
#include "net/request_target.h"

#include <gtest/gtest.h>

namespace osprey::net {
namespace {

TEST(RequestTargetTest, OriginFormIsServed) {
  EXPECT_TRUE(is_served_request_target("GET", "/"));
  EXPECT_TRUE(is_served_request_target("POST", "/v1/chat/completions"));
  EXPECT_TRUE(is_served_request_target("GET", "/v1/models?limit=2"));
}

TEST(RequestTargetTest, AsteriskFormOnlyForOptions) {
  EXPECT_TRUE(is_served_request_target("OPTIONS", "*"));
  EXPECT_FALSE(is_served_request_target("GET", "*"));
  EXPECT_FALSE(is_served_request_target("OPTIONS", "*/x"));
}

TEST(RequestTargetTest, OtherFormsAreRefused) {
  EXPECT_FALSE(is_served_request_target("POST", "v1/chat/completions"));
  EXPECT_FALSE(is_served_request_target("GET", ""));
  EXPECT_FALSE(is_served_request_target("GET", "?a=1"));
  EXPECT_FALSE(is_served_request_target("GET", "http://host/v1/models"));
  EXPECT_FALSE(is_served_request_target("CONNECT", "host:443"));
}

}  // namespace
}  // namespace osprey::net
