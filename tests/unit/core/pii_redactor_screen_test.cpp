// may_hold_builtin_pii: the SIMD screen in front of the redactor's exact pre-scan. It must say
// "maybe" for every text in which a built-in detector could match, wherever the candidate
// sits relative to its 16-byte blocks, and is checked against a byte-at-a-time reading of its
// definition on random texts.
#include "core/pii_redactor_screen.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/pii_redactor.h"

namespace osprey {
namespace {

// The definition, one byte at a time.
bool reference(std::string_view text) {
  int run = 0;
  for (char c : text) {
    if (c == '@') return true;
    run = (c == ' ' || (c >= '(' && c <= '9')) ? run + 1 : 0;
    if (run >= 8) return true;
  }
  return false;
}

TEST(PiiRedactorScreen, ClearsIdsPathsAndEventNames) {
  EXPECT_FALSE(may_hold_builtin_pii(""));
  EXPECT_FALSE(may_hold_builtin_pii("http_request"));
  EXPECT_FALSE(may_hold_builtin_pii("/v1/chat/completions"));
  EXPECT_FALSE(may_hold_builtin_pii("POST"));
  EXPECT_FALSE(may_hold_builtin_pii("3f2a9c0b7d1e4f6a8b5c2d0e9f1a3b7c"));
  EXPECT_FALSE(may_hold_builtin_pii("1234567"));
}

TEST(PiiRedactorScreen, FlagsAtSignsAndNumberRunsAtEveryOffset) {
  for (const std::string candidate : {"12345678", "+1 (555)", "a@b", "4111-111", "0 1 2 3 "}) {
    for (std::size_t offset = 0; offset < 40; ++offset) {
      const std::string text = std::string(offset, 'x') + candidate + std::string(offset % 7, 'y');
      EXPECT_TRUE(may_hold_builtin_pii(text)) << text;
    }
  }
  // One byte short of a run, at every offset: straddling a block boundary must not join it with
  // a run elsewhere.
  for (std::size_t offset = 0; offset < 40; ++offset) {
    const std::string text = std::string(offset, 'x') + "1234567" + "x" + "1234567";
    EXPECT_FALSE(may_hold_builtin_pii(text)) << text;
  }
}

TEST(PiiRedactorScreen, AgreesWithItsDefinitionOnRandomTexts) {
  const std::string alphabet = "0123456789 .-()+,/*@abcxyzXYZ:_\x7f\x80\xff";
  std::mt19937 rng(20261126);
  for (int i = 0; i < 200000; ++i) {
    std::string text(rng() % 70, ' ');
    for (char& c : text) c = alphabet[rng() % (i % 2 == 0 ? alphabet.size() : 12)];
    ASSERT_EQ(may_hold_builtin_pii(text), reference(text)) << text;
  }
}

// Through the redactor: numbers and e-mails that straddle the screen's blocks are still found,
// and custom patterns still run on texts the screen clears.
TEST(PiiRedactorScreen, RedactorStillFindsWhatStraddlesBlocks) {
  const auto builtin = PiiRedactor::create({}).value();
  for (std::size_t offset = 0; offset < 34; ++offset) {
    const std::string pad(offset, 'q');
    EXPECT_EQ(builtin->redact(pad + " +1 (555) 123-4567"), pad + " [REDACTED:phone]");
    EXPECT_EQ(builtin->redact(pad + " 4111 1111 1111 1111 x"), pad + " [REDACTED:card] x");
    EXPECT_EQ(builtin->redact(pad + " jo@example.org"), pad + " [REDACTED:email]");
  }
  const auto custom =
      PiiRedactor::create({.builtin = true, .extra = {{"ticket", "TCK-[a-z]+"}}}).value();
  EXPECT_EQ(custom->redact("see TCK-abc"), "see [REDACTED:ticket]");
}

// The screen and the pre-scan only skip work: redacting a text must give what the detectors
// give when they all run. A suffix that makes every pre-scan pass (after a '\n', which no match
// spans and which glues to nothing) forces them to run on the text in front of it.
TEST(PiiRedactorScreen, SkippingDetectorsNeverChangesTheResult) {
  const auto builtin = PiiRedactor::create({}).value();
  const std::string suffix = "\n@ 0000000000000";
  const std::string suffix_redacted = builtin->redact(suffix);
  const std::string alphabet = "0123456789012345678901234567890123456789 .-()+@abcxyz:_,/";
  std::mt19937 rng(4111);
  const std::string digits_and_letters = "0123456789abcdef";  // request ids
  for (int i = 0; i < 100000; ++i) {
    std::string text(rng() % 48, ' ');
    const std::string& from = i % 4 == 0 ? digits_and_letters : alphabet;
    for (char& c : text) c = from[rng() % from.size()];
    if (i % 8 == 0) text += " 555-123-4567";  // a phone after a possibly glued digit run
    ASSERT_EQ(builtin->redact(text) + suffix_redacted, builtin->redact(text + suffix)) << text;
  }
}

}  // namespace
}  // namespace osprey
