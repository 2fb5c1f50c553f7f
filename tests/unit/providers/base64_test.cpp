#include "providers/base64.h"

#include <gtest/gtest.h>

namespace osprey::providers {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, RoundTripsBinary) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  auto decoded = base64_decode(base64_encode(bytes));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, bytes);
}

TEST(Base64, RejectsInvalidInput) {
  EXPECT_FALSE(base64_decode("Zm9").has_value());       // bad length
  EXPECT_FALSE(base64_decode("Zm9v!A==").has_value());  // bad character
  EXPECT_FALSE(base64_decode("Z===").has_value());      // too much padding
  EXPECT_FALSE(base64_decode("Zg==Zm9v").has_value());  // padding in the middle
}

}  // namespace
}  // namespace osprey::providers
