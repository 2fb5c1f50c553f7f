#pragma once
// The quick test PiiRedactor runs before its exact pre-scan. Most log strings (request ids,
// paths, event names) hold no '@' and no run of 8 bytes that a phone or card number could be
// made of; then no built-in detector can match and the exact scan is skipped. Pure; thread-safe.
#include <string_view>

namespace osprey {

// False when `text` has no '@' and no run of 8 or more bytes from ' ' and '(' through '9'
// ("()*+,-./" and the digits). A phone match needs 8 digits in a run of digits and " .-()+",
// a card match 13 digits in a run of digits, ' ' and '-': both are runs of such bytes. True
// means "run the exact scan", not "holds personal data".
bool may_hold_builtin_pii(std::string_view text);

}  // namespace osprey
