#pragma once
// PiiRedactor: replaces personal data in free text before it is written anywhere (the logger runs
// every string it writes through one). Built-in detectors: e-mail addresses, phone numbers
// (international "+..." numbers and common national formats with separators) and payment card
// numbers (13-19 digits, Luhn-checked so ordinary numbers survive); plus configured RE2
// patterns. A match becomes "[REDACTED:<name>]". Digit runs glued to letters, hex ids,
// timestamps, ISO dates, IP addresses and plain unseparated numbers are left alone.
// Immutable after create(); thread-safe.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace osprey {

struct RedactPattern {
  std::string name;     // shown in the replacement: [REDACTED:<name>]
  std::string pattern;  // RE2 syntax
};

struct PiiRedactorOptions {
  bool builtin = true;               // e-mails, phones, card numbers
  std::vector<RedactPattern> extra;  // applied after the built-ins, in order
};

class PiiRedactor {
 public:
  // Fails (kConfigInvalid) when an extra pattern does not compile; the message names the pattern
  // by its index and name.
  static Result<std::shared_ptr<const PiiRedactor>> create(const PiiRedactorOptions& options);
  ~PiiRedactor();
  PiiRedactor(const PiiRedactor&) = delete;
  PiiRedactor& operator=(const PiiRedactor&) = delete;

  // When `text` holds something to redact, writes the redacted text to `out` and returns true;
  // otherwise returns false and leaves `out` alone (the common case allocates nothing).
  bool redact(std::string_view text, std::string& out) const;
  std::string redact(std::string_view text) const;

 private:
  struct Impl;
  explicit PiiRedactor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True when the digits of `number` (separators ignored) pass the Luhn checksum.
bool luhn_valid(std::string_view number);

}  // namespace osprey
