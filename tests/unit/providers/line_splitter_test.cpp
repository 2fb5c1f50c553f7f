// LineSplitter: lines come out the same however the bytes are cut into reads, views of the read
// when a line is wholly inside it, and an unterminated tail past the limit is an error.
#include "providers/line_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace osprey::providers {
namespace {

const std::string kBody =
    "data: {\"a\":1}\r\n\r\nevent: x\ndata: two\n\n: comment\r\ndata: [DONE]\n\ntail";
const std::vector<std::string> kLines = {
    "data: {\"a\":1}", "", "event: x", "data: two", "", ": comment", "data: [DONE]", ""};

std::vector<std::string> split_in_reads(const std::vector<std::string_view>& reads,
                                        LineSplitter& splitter) {
  std::vector<std::string> lines;
  for (std::string_view read : reads) {
    EXPECT_TRUE(splitter
                    .feed(read,
                          [&](std::string_view line) {
                            lines.emplace_back(line);
                            return true;
                          })
                    .ok());
  }
  return lines;
}

TEST(LineSplitter, EveryCutIntoTwoOrThreeReadsGivesTheSameLines) {
  const std::string_view body = kBody;
  for (std::size_t i = 0; i <= body.size(); ++i) {
    for (std::size_t j = i; j <= body.size(); j += 7) {
      LineSplitter splitter;
      EXPECT_EQ(
          split_in_reads({body.substr(0, i), body.substr(i, j - i), body.substr(j)}, splitter),
          kLines)
          << i << " " << j;
      EXPECT_EQ(splitter.pending(), "tail");
    }
  }
}

TEST(LineSplitter, ALineInsideOneReadIsAViewOfIt) {
  LineSplitter splitter;
  const std::string read = "one\ntwo\n";
  std::vector<const char*> starts;
  ASSERT_TRUE(splitter
                  .feed(read,
                        [&](std::string_view line) {
                          starts.push_back(line.data());
                          return true;
                        })
                  .ok());
  EXPECT_EQ(starts, (std::vector<const char*>{read.data(), read.data() + 4}));
}

TEST(LineSplitter, ReturningFalseStopsTheFeed) {
  LineSplitter splitter;
  std::vector<std::string> seen;
  ASSERT_TRUE(splitter
                  .feed("a\nb\nc\n",
                        [&](std::string_view line) {
                          seen.emplace_back(line);
                          return line != "b";
                        })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
}

TEST(LineSplitter, AnUnterminatedTailPastTheLimitIsAnError) {
  LineSplitter splitter(8);
  const auto any_line = [](std::string_view) { return true; };
  EXPECT_TRUE(splitter.feed("0123456789\nshort", any_line).ok());  // a whole long line is fine
  EXPECT_TRUE(splitter.feed("+ok", any_line).ok());                // "short+ok": 8 bytes
  const auto too_long = splitter.feed("!", any_line);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kUpstreamError);
  EXPECT_NE(too_long.error().message.find("longer than 8 bytes"), std::string::npos);
}

}  // namespace
}  // namespace osprey::providers
