#include "providers/bedrock/event_stream_decoder.h"

#include <gtest/gtest.h>

#include <random>

#include "support/byte_mutator.h"
#include "unit/providers/bedrock/event_stream_frame.h"

namespace osprey::providers::bedrock {
namespace {

using testing::encode_frame;

TEST(Crc32, MatchesStandardCheckValue) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32(""), 0u);
  // Incremental use gives the same value as one pass.
  EXPECT_EQ(crc32("6789", crc32("12345")), 0xCBF43926u);
}

TEST(EventStreamDecoder, DecodesTheEmptyMessageVector) {
  // The empty-message vector from the AWS event stream test suite.
  const std::string bytes("\x00\x00\x00\x10\x00\x00\x00\x00\x05\xc2\x48\xeb\x7d\x98\xc8\xff", 16);
  EventStreamDecoder decoder;
  auto messages = decoder.feed(bytes);
  ASSERT_TRUE(messages.ok()) << messages.error().message;
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_TRUE((*messages)[0].headers.empty());
  EXPECT_TRUE((*messages)[0].payload.empty());
}

TEST(EventStreamDecoder, DecodesHeadersAndPayloadAcrossArbitraryChunks) {
  const std::string one = encode_frame({{":message-type", "event"},
                                        {":event-type", "messageStart"},
                                        {":content-type", "application/json"}},
                                       R"({"role":"assistant"})");
  const std::string two = encode_frame({{":message-type", "event"}, {":event-type", "metadata"}},
                                       R"({"usage":{"inputTokens":1,"outputTokens":2}})");
  const std::string stream = one + two;
  for (std::size_t chunk = 1; chunk <= stream.size(); chunk += 7) {
    EventStreamDecoder decoder;
    std::vector<EventStreamMessage> all;
    for (std::size_t i = 0; i < stream.size(); i += chunk) {
      auto out = decoder.feed(std::string_view(stream).substr(i, chunk));
      ASSERT_TRUE(out.ok()) << out.error().message;
      all.insert(all.end(), out->begin(), out->end());
    }
    ASSERT_EQ(all.size(), 2u) << "chunk " << chunk;
    EXPECT_EQ(all[0].header(":event-type"), "messageStart");
    EXPECT_EQ(all[0].header(":content-type"), "application/json");
    EXPECT_EQ(all[0].payload, R"({"role":"assistant"})");
    EXPECT_EQ(all[1].header(":event-type"), "metadata");
    EXPECT_EQ(all[1].header("missing"), "");
    EXPECT_EQ(decoder.buffered(), 0u);
  }
}

TEST(EventStreamDecoder, RejectsCorruptFrames) {
  const std::string good = encode_frame({{":event-type", "messageStart"}}, "{}");
  std::string bad_payload = good;
  bad_payload[bad_payload.size() - 6] ^= 0x01;  // flips a payload bit
  EventStreamDecoder a;
  auto r = a.feed(bad_payload);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), ErrorCode::kUpstreamError);
  EXPECT_NE(r.error().message.find("message CRC"), std::string::npos);
  EXPECT_FALSE(a.feed(good).ok());  // stays failed

  std::string bad_prelude = good;
  bad_prelude[3] ^= 0x01;
  EventStreamDecoder b;
  auto p = b.feed(bad_prelude);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("prelude CRC"), std::string::npos);
}

TEST(EventStreamDecoder, RejectsOversizedAndMalformedHeaderFrames) {
  // A prelude with a valid CRC that announces 1 GiB.
  std::string huge("\x40\x00\x00\x00\x00\x00\x00\x00", 8);
  const std::uint32_t crc = crc32(huge);
  for (int s = 24; s >= 0; s -= 8) huge += static_cast<char>((crc >> s) & 0xff);
  EventStreamDecoder a;
  EXPECT_FALSE(a.feed(huge).ok());

  // A header with an unknown type byte, wrapped in a frame with correct CRCs.
  const std::string raw_headers("\x01x\x63", 3);
  EventStreamDecoder b;
  auto r = b.feed(testing::encode_raw_frame(raw_headers, "{}"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("malformed headers"), std::string::npos);
}

TEST(EventStreamDecoder, IncompleteFrameWaitsForMoreBytes) {
  const std::string frame = encode_frame({{":event-type", "x"}}, "{}");
  EventStreamDecoder decoder;
  auto out = decoder.feed(frame.substr(0, frame.size() - 1));
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->empty());
  EXPECT_EQ(decoder.buffered(), frame.size() - 1);
}

// Header blocks with any bytes in them (a length past the block's end, an unknown or cut value
// type, an empty name), inside frames whose CRCs are right, so the header reader meets them: a
// clear error or the headers, never a crash or a read past the frame.
TEST(EventStreamDecoder, BrokenHeaderBlocksAreErrorsNotCrashes) {
  const std::string block = testing::encode_headers(
      {{":message-type", "event"}, {":event-type", "contentBlockDelta"}, {":content-type", "j"}});
  constexpr char kBytes[] = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x10\x7f\x80\xff:ae";
  const std::string alphabet(kBytes, sizeof(kBytes) - 1);
  std::mt19937 rng(37);
  int decoded = 0;
  for (int i = 0; i < 5000 && !HasFailure(); ++i) {
    const std::string frame = testing::encode_raw_frame(
        osprey::testing::mutate_bytes(block, rng, alphabet, 1, 3), R"({"delta":{"text":"x"}})");
    EventStreamDecoder decoder;
    Result<std::vector<EventStreamMessage>> messages = Error{ErrorCode::kInternal, "not fed"};
    EXPECT_NO_THROW(messages = decoder.feed(frame));
    if (!messages.ok()) {
      EXPECT_EQ(messages.error().code, ErrorCode::kUpstreamError);
      continue;
    }
    ++decoded;
    ASSERT_EQ(messages->size(), 1u);
    for (const auto& [name, value] : (*messages)[0].headers) {
      EXPECT_LE(name.size() + value.size(), frame.size());
    }
    EXPECT_EQ((*messages)[0].payload, R"({"delta":{"text":"x"}})");
  }
  EXPECT_GT(decoded, 100);
}

}  // namespace
}  // namespace osprey::providers::bedrock
