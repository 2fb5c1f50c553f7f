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

// json_plain_string_end's contract, byte at a time: the first '"' when every byte before it is
// plain, else null.
const char* scalar_string_end(std::string_view text, std::size_t start) {
  const std::size_t end = scalar_run_end(text, start);
  return end < text.size() && text[end] == '"' ? text.data() + end : nullptr;
}

TEST(JsonPlainRunTest, StringEndStopsAtEveryByteAtEveryOffsetAndTextLength) {
  for (int byte = 0; byte < 256; ++byte) {
    for (std::size_t at = 0; at < 40; ++at) {
      // The text ends at every distance from the byte, so both the 16-byte steps and the
      // byte-at-a-time tail meet it.
      for (std::size_t length = at + 1; length <= 56; ++length) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(byte);
        if (length > at + 1) text[length - 1] = '"';  // a closing quote after the byte
        for (std::size_t start = 0; start <= at; start += 5) {
          ASSERT_EQ(json_plain_string_end(text.data() + start, text.data() + text.size()),
                    scalar_string_end(text, start))
              << "byte " << byte << " at " << at << " length " << length << " from " << start;
        }
      }
    }
  }
}

TEST(JsonPlainRunTest, StringEndFindsTheQuoteOrDefers) {
  const auto end_of = [](std::string_view text) -> std::ptrdiff_t {
    const char* const got = json_plain_string_end(text.data(), text.data() + text.size());
    return got == nullptr ? -1 : got - text.data();
  };
  EXPECT_EQ(end_of(R"(abc"def)"), 3);
  EXPECT_EQ(end_of(R"(abcdefghijklmnopqrstuvwxyz"})"), 26);
  EXPECT_EQ(end_of(R"(",)"), 0);
  EXPECT_EQ(end_of(""), -1);
  EXPECT_EQ(end_of("abcdefghijklmnopqrstuvwxyz"), -1);           // unterminated
  EXPECT_EQ(end_of(R"(abc\"def")"), -1);                         // an escape: the general scan
  EXPECT_EQ(end_of("abcdefghijklmnopq\xc3\xa9\"........"), -1);  // UTF-8: the general scan
  EXPECT_EQ(end_of(std::string_view("abcdefghijklmnopqrs\0\"", 21)), -1);
}

}  // namespace
}  // namespace osprey
