// format_timestamp: ISO-8601 UTC with milliseconds, the form both backends store and return
// (every usage-ledger row and audit entry carries one).
#include <gtest/gtest.h>

#include <chrono>

#include "store/tenancy_input.h"

namespace osprey::store {
namespace {

using namespace std::chrono;

system_clock::time_point at(year_month_day day, milliseconds time_of_day) {
  return system_clock::time_point(sys_days(day).time_since_epoch() + time_of_day);
}

TEST(FormatTimestamp, WritesEveryFieldZeroPadded) {
  EXPECT_EQ(format_timestamp(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_timestamp(at(2026y / November / 25,
                                hours(12) + minutes(34) + seconds(56) + milliseconds(789))),
            "2026-11-25T12:34:56.789Z");
  EXPECT_EQ(format_timestamp(at(2024y / February / 29,
                                hours(23) + minutes(59) + seconds(59) + milliseconds(999))),
            "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(format_timestamp(at(2000y / January / 1, milliseconds(7))), "2000-01-01T00:00:00.007Z");
  EXPECT_EQ(format_timestamp(at(2199y / December / 31, hours(1))), "2199-12-31T01:00:00.000Z");
}

TEST(FormatTimestamp, DropsSubMillisecondsAndRoundTripsThroughNormalize) {
  const auto t = at(2026y / March / 5, hours(4) + minutes(3) + seconds(2) + milliseconds(1)) +
                 microseconds(999);
  const std::string text = format_timestamp(t);
  EXPECT_EQ(text, "2026-03-05T04:03:02.001Z");
  auto normal = normalize_timestamp("at", text);
  ASSERT_TRUE(normal.ok());
  EXPECT_EQ(normal.value(), text);
}

}  // namespace
}  // namespace osprey::store
