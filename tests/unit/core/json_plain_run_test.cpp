// json_plain_run_end against the byte-at-a-time definition, for every byte value at every
// offset of a run longer than one 16-byte step.
#include "core/json_plain_run.h"

#include <gtest/gtest.h>

#include <string>

namespace osprey {
namespace {

std::size_t scalar_run_end(std::string_view text, std::size_t i) {
  while (i < text.size() && kJsonPlainByte[static_cast<unsigned char>(text[i])]) ++i;
  return i;
}

TEST(JsonPlainRunTest, StopsAtEveryNonPlainByteAtEveryOffset) {
  for (int byte = 0; byte < 256; ++byte) {
    for (std::size_t at = 0; at < 40; ++at) {
      std::string text(40, 'a');
      text[at] = static_cast<char>(byte);
      for (std::size_t start = 0; start <= at; start += 7) {
        ASSERT_EQ(json_plain_run_end(text, start), scalar_run_end(text, start))
            << "byte " << byte << " at " << at << " from " << start;
      }
    }
  }
}

TEST(JsonPlainRunTest, PlainTextRunsToTheEnd) {
  const std::string text = "The quick brown fox jumps over the lazy dog 0123456789 ~!#$%&'()*+,-./";
  EXPECT_EQ(json_plain_run_end(text, 0), text.size());
  EXPECT_EQ(json_plain_run_end(text, text.size()), text.size());
  EXPECT_EQ(json_plain_run_end("", 0), 0U);
}

TEST(JsonPlainRunTest, Utf8AndEscapesEndTheRun) {
  EXPECT_EQ(json_plain_run_end("abcdefghijklmnopqrst\xc3\xa9", 0), 20U);
  EXPECT_EQ(json_plain_run_end("abcdefghijklmnopq\"rst", 0), 17U);
  EXPECT_EQ(json_plain_run_end("abcdefghijklmnopqrstuvwxyz\\n", 3), 26U);
  EXPECT_EQ(json_plain_run_end(std::string_view("abcdefghijklmnopqrstu\0v", 23), 0), 21U);
}

}  // namespace
}  // namespace osprey
