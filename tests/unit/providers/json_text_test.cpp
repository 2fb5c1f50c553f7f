// The hand-written JSON text must be byte for byte what nlohmann's dump() writes, so that the
// DOM-free writers and the DOM ones can be mixed.
#include "providers/json_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include <nlohmann/json.hpp>

namespace osprey::providers {
namespace {

std::string double_text(double v) {
  std::string out;
  append_json_double(out, v);
  return out;
}

TEST(JsonText, DoublesAreWrittenAsDumpWritesThem) {
  const double values[] = {0.0,
                           -0.0,
                           0.7,
                           1.0,
                           2.0,
                           -1.5,
                           0.1 + 0.2,
                           1e-7,
                           1e-4,
                           1e15,
                           1e16,
                           1e17,
                           1e20,
                           1e21,
                           123456789012345678.0,
                           5e-324,
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::min(),
                           -std::numeric_limits<double>::max()};
  for (const double v : values) EXPECT_EQ(double_text(v), nlohmann::json(v).dump()) << v;
  std::mt19937_64 random(42);  // fixed seed: a reproducible spread of bit patterns
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t bits = random();
    double v = 0;
    static_assert(sizeof(v) == sizeof(bits));
    std::memcpy(&v, &bits, sizeof(v));
    ASSERT_EQ(double_text(v), nlohmann::json(v).dump()) << bits;
  }
  // Not representable in JSON: dump() writes null.
  EXPECT_EQ(double_text(std::nan("")), "null");
  EXPECT_EQ(double_text(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(double_text(-std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(nlohmann::json(std::nan("")).dump(), "null");
}

TEST(JsonText, IntegersAreWrittenAsDumpWritesThem) {
  for (const std::int64_t v :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{16},
        std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
    std::string out = "x";
    append_json_integer(out, v);
    std::string expected = "x";  // `out` is appended to, not overwritten
    expected += nlohmann::json(v).dump();
    EXPECT_EQ(out, expected);
  }
}

}  // namespace
}  // namespace osprey::providers
