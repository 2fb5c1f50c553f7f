#include "providers/upstream_error.h"

#include <gtest/gtest.h>

#include <chrono>

namespace osprey::providers {
namespace {

using std::chrono::milliseconds;

// 2015-10-21 07:28:00 UTC, the instant of the RFC 9110 Retry-After example date.
const auto kNow = std::chrono::system_clock::from_time_t(1445412480);

struct StatusCase {
  int status;
  ErrorCode code;
  bool retryable;
};

class StatusMapping : public ::testing::TestWithParam<StatusCase> {};

TEST_P(StatusMapping, MapsToStableCode) {
  const auto& c = GetParam();
  UpstreamError e = upstream_error_from_status(c.status, "boom");
  EXPECT_EQ(e.code, c.code) << c.status;
  EXPECT_EQ(e.retryable, c.retryable) << c.status;
  EXPECT_EQ(e.http_status, c.status);
  EXPECT_EQ(e.message, "boom");
}

INSTANTIATE_TEST_SUITE_P(AllVendors, StatusMapping,
                         ::testing::Values(StatusCase{400, ErrorCode::kInvalidRequest, false},
                                           StatusCase{422, ErrorCode::kInvalidRequest, false},
                                           StatusCase{401, ErrorCode::kUpstreamError, false},
                                           StatusCase{403, ErrorCode::kUpstreamError, false},
                                           StatusCase{404, ErrorCode::kUpstreamError, false},
                                           StatusCase{408, ErrorCode::kUpstreamTimeout, true},
                                           StatusCase{504, ErrorCode::kUpstreamTimeout, true},
                                           StatusCase{429, ErrorCode::kUpstreamRateLimited, true},
                                           StatusCase{500, ErrorCode::kUpstreamError, true},
                                           StatusCase{502, ErrorCode::kUpstreamError, true},
                                           StatusCase{503, ErrorCode::kUpstreamError, true},
                                           StatusCase{529, ErrorCode::kUpstreamError, true},
                                           StatusCase{409, ErrorCode::kUpstreamError, false}));

TEST(RetryAfter, ParsesDelaySeconds) {
  EXPECT_EQ(parse_retry_after("120", kNow), milliseconds(120000));
  EXPECT_EQ(parse_retry_after(" 0 ", kNow), milliseconds(0));
}

TEST(RetryAfter, ParsesHttpDateRelativeToNow) {
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", kNow), milliseconds(30000));
  // A date already past means "now".
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", kNow), milliseconds(0));
}

TEST(RetryAfter, RejectsGarbage) {
  EXPECT_FALSE(parse_retry_after("soon", kNow).has_value());
  EXPECT_FALSE(parse_retry_after("-5", kNow).has_value());
  EXPECT_FALSE(parse_retry_after("", kNow).has_value());
  EXPECT_FALSE(parse_retry_after("12abc", kNow).has_value());
}

TEST(RetryAfter, MillisecondHeaderWinsOverSeconds) {
  UpstreamError e = upstream_error_from_status(429, "slow down", {"20", "1500"}, kNow);
  ASSERT_TRUE(e.retry_after.has_value());
  EXPECT_EQ(*e.retry_after, milliseconds(1500));
  UpstreamError only_seconds = upstream_error_from_status(429, "slow down", {"20", ""}, kNow);
  EXPECT_EQ(only_seconds.retry_after, milliseconds(20000));
  UpstreamError none = upstream_error_from_status(429, "slow down", {}, kNow);
  EXPECT_FALSE(none.retry_after.has_value());
}

TEST(UpstreamError, MalformedBodyIsUpstreamErrorNotRetryable) {
  UpstreamError e = malformed_upstream_body("openai", "not JSON");
  EXPECT_EQ(e.code, ErrorCode::kUpstreamError);
  EXPECT_FALSE(e.retryable);
  EXPECT_EQ(e.to_error().code, ErrorCode::kUpstreamError);
}

TEST(UpstreamError, BodyExcerptIsShortAndSingleLine) {
  const std::string body = "line1\nline2\r\n" + std::string(500, 'x');
  const std::string excerpt = body_excerpt(body);
  EXPECT_EQ(excerpt.find('\n'), std::string::npos);
  EXPECT_LT(excerpt.size(), 210u);
  EXPECT_EQ(excerpt.substr(0, 11), "line1 line2");
}

}  // namespace
}  // namespace osprey::providers
