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

namespace osprey::store {
namespace {

// Only real calendar dates and times pass: a shape check alone let 2027-02-30 through.
TEST(TimestampInput, ImpossibleDatesAndTimesAreRefused) {
  for (const char* good : {"2024-02-29T00:00:00.000Z", "2026-12-31T23:59:59.999Z",
                           "2000-02-29T12:00:00Z", "2026-04-30T00:00:00Z"}) {
    EXPECT_TRUE(normalize_timestamp("at", good).ok()) << good;
  }
  for (const char* bad : {"2027-02-30T00:00:00Z", "2026-02-29T00:00:00.000Z",
                          "1900-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
                          "2026-04-31T00:00:00Z", "2026-05-00T00:00:00Z", "2026-05-01T24:00:00Z",
                          "2026-05-01T12:60:00Z", "2026-05-01T12:00:60.000Z"}) {
    EXPECT_FALSE(normalize_timestamp("at", bad).ok()) << bad;
    EXPECT_FALSE(is_canonical_timestamp(bad)) << bad;
  }
  EXPECT_TRUE(check_day("from", "2024-02-29").ok());
  EXPECT_FALSE(check_day("from", "2026-13-45").ok());
  EXPECT_FALSE(check_day("to", "2026-99-99").ok());
  EXPECT_FALSE(check_day("to", "2025-02-29").ok());
  EXPECT_TRUE(check_month("month", "2026-12").ok());
  EXPECT_FALSE(check_month("month", "2026-13").ok());
  EXPECT_FALSE(check_month("month", "2026-00").ok());
}

}  // namespace
}  // namespace osprey::store
