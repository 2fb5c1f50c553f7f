#include "fakes/aws_event_stream.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace osprey::fakes {
namespace {

// Bitwise CRC-32 (IEEE 802.3), written out here so the test does not trust the encoder's CRC.
std::uint32_t reference_crc32(std::string_view bytes) {
  std::uint32_t crc = 0xffffffffu;
  for (const unsigned char b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::uint32_t be32(std::string_view s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

TEST(AwsEventStream, CrcOfTheReferenceStringMatches) {
  EXPECT_EQ(reference_crc32("123456789"), 0xcbf43926u);  // the standard check value
}

TEST(AwsEventStream, FrameHasValidPreludeHeadersPayloadAndCrcs) {
  const std::string payload = R"({"contentBlockIndex":0,"delta":{"text":"hi"}})";
  const std::string frame = encode_event("contentBlockDelta", payload);
  ASSERT_GE(frame.size(), 16u);
  const std::uint32_t total = be32(frame, 0);
  const std::uint32_t headers_len = be32(frame, 4);
  EXPECT_EQ(total, frame.size());
  EXPECT_EQ(be32(frame, 8), reference_crc32(std::string_view(frame).substr(0, 8)));
  EXPECT_EQ(be32(frame, total - 4), reference_crc32(std::string_view(frame).substr(0, total - 4)));
  EXPECT_EQ(frame.substr(12 + headers_len, total - 16 - headers_len), payload);

  // First header: ":event-type" as a string (type 7) holding the event name.
  const std::string_view headers = std::string_view(frame).substr(12, headers_len);
  ASSERT_EQ(static_cast<unsigned char>(headers[0]), 11u);
  EXPECT_EQ(headers.substr(1, 11), ":event-type");
  EXPECT_EQ(headers[12], 7);
  const std::size_t len =
      (static_cast<unsigned char>(headers[13]) << 8) | static_cast<unsigned char>(headers[14]);
  EXPECT_EQ(headers.substr(15, len), "contentBlockDelta");
  EXPECT_NE(headers.find(":message-type"), std::string_view::npos);
}

}  // namespace
}  // namespace osprey::fakes
