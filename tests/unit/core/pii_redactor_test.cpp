// PiiRedactor: e-mails, phone numbers in several national and international formats, card
// numbers with a valid Luhn checksum, custom patterns; and what must survive untouched: request
// ids, timestamps, ISO dates, IP addresses, versions, ordinary numbers and Luhn-invalid digits.
#include "core/pii_redactor.h"

#include <gtest/gtest.h>

#include <string>

namespace osprey {
namespace {

const PiiRedactor& builtin() {
  static const std::shared_ptr<const PiiRedactor> r = PiiRedactor::create({}).value();
  return *r;
}

std::string redact(const std::string& text) { return builtin().redact(text); }

TEST(PiiRedactor, RedactsEmailAddresses) {
  EXPECT_EQ(redact("mail jane.doe+tag@example.co.uk now"), "mail [REDACTED:email] now");
  EXPECT_EQ(redact("a@b.io,c_d@e-f.org"), "[REDACTED:email],[REDACTED:email]");
  EXPECT_EQ(redact("\"user\":\"Bob@Example.COM\""), "\"user\":\"[REDACTED:email]\"");
}

TEST(PiiRedactor, RedactsPhoneNumbersInCommonFormats) {
  for (const std::string phone :
       {"+1 (555) 123-4567", "+15551234567", "555-123-4567", "(555) 123-4567", "(555)123-4567",
        "555.123.4567", "1-555-123-4567", "+44 20 7946 0958", "+33 1 23 45 67 89", "+49-30-1234567",
        "020 7946 0958", "01 23 45 67 89", "06-12345678"}) {
    EXPECT_EQ(redact("call " + phone + " today"), "call [REDACTED:phone] today") << phone;
  }
}

// The pre-scan that skips the patterns counts digits per run of the characters a match can
// span; numbers at either end of the text or next to other punctuation must still be found.
TEST(PiiRedactor, FindsNumbersAtTheEdgesAndBetweenOtherPunctuation) {
  EXPECT_EQ(redact("+1 (555) 123-4567"), "[REDACTED:phone]");
  EXPECT_EQ(redact("tel: 555.123.4567;"), "tel: [REDACTED:phone];");
  EXPECT_EQ(redact("[020 7946 0958]"), "[[REDACTED:phone]]");
  EXPECT_EQ(redact("4111-1111-1111-1111"), "[REDACTED:card]");
  EXPECT_EQ(redact("x=4111 1111 1111 1111"), "x=[REDACTED:card]");
  EXPECT_EQ(redact("12:34:56:78:90:12:34"), "12:34:56:78:90:12:34");
}

TEST(PiiRedactor, RedactsCardNumbersOnlyWithAValidLuhnChecksum) {
  EXPECT_EQ(redact("card 4111111111111111 ok"), "card [REDACTED:card] ok");
  EXPECT_EQ(redact("card 4111 1111 1111 1111."), "card [REDACTED:card].");
  EXPECT_EQ(redact("amex 3782-822463-10005"), "amex [REDACTED:card]");
  EXPECT_EQ(redact("5500 0000 0000 0004 exp 2026"), "[REDACTED:card] exp 2026");
  // Same shapes, checksum off by one: ordinary numbers, kept.
  EXPECT_EQ(redact("order 4111111111111112 shipped"), "order 4111111111111112 shipped");
  EXPECT_EQ(redact("ref 4111 1111 1111 1112"), "ref 4111 1111 1111 1112");
}

TEST(PiiRedactor, LuhnChecksum) {
  EXPECT_TRUE(luhn_valid("4111111111111111"));
  EXPECT_TRUE(luhn_valid("4111-1111-1111-1111"));
  EXPECT_TRUE(luhn_valid("79927398713"));
  EXPECT_FALSE(luhn_valid("79927398710"));
  EXPECT_FALSE(luhn_valid(""));
}

TEST(PiiRedactor, LeavesIdsTimestampsDatesAndOrdinaryNumbersAlone) {
  for (const std::string keep : {"4f1c9a2b8d7e6f5a4b3c2d1e0f9a8b7c",
                                 "550e8400-e29b-41d4-a716-446655440000",
                                 "2026-11-25T12:00:00.123Z",
                                 "2026-11-25",
                                 "2026-11-25 12:30:00",
                                 "25-11-2026 10:15",
                                 "1764072000",
                                 "1764072000123",
                                 "latency_ms=123456789",
                                 "18446744073709551615",
                                 "127.0.0.1:8080",
                                 "192.168.100.200",
                                 "v1.20.3",
                                 "http://10.0.0.12:11434/api/chat",
                                 "tokens 12 345 678",
                                 "chat@fake",
                                 "sqlite:/tmp/osprey-data/osprey.db",
                                 "req-20261125-000123",
                                 "0.123456789",
                                 "id_5551234567"}) {
    EXPECT_EQ(redact(keep), keep) << keep;
  }
  std::string out = "untouched";
  EXPECT_FALSE(builtin().redact("nothing here 12345", out));
  EXPECT_EQ(out, "untouched");
}

TEST(PiiRedactor, AppliesCustomPatternsAfterTheBuiltins) {
  auto r = PiiRedactor::create(
      {.builtin = true, .extra = {{"employee", "EMP-[0-9]{6}"}, {"ticket", "(?i)tkt#\\d+"}}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value()->redact("EMP-123456 filed TKT#42 for x@y.com"),
            "[REDACTED:employee] filed [REDACTED:ticket] for [REDACTED:email]");
}

TEST(PiiRedactor, ABadCustomPatternIsAConfigError) {
  auto r = PiiRedactor::create({.builtin = true, .extra = {{"ok", "a"}, {"bad", "(x"}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), ErrorCode::kConfigInvalid);
  EXPECT_NE(r.error().message.find("\"bad\""), std::string::npos) << r.error().message;
}

TEST(PiiRedactor, HandlesEmptyAndNonAsciiText) {
  EXPECT_EQ(redact(""), "");
  EXPECT_EQ(redact("héllo 📞 +33 6 12 34 56 78 ✓"), "héllo 📞 [REDACTED:phone] ✓");
}

}  // namespace
}  // namespace osprey
