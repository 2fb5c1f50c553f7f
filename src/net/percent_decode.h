#pragma once
// Percent-decoding of URL paths and query components (RFC 3986). Pure functions, thread-safe.
#include <string>
#include <string_view>

namespace osprey::net {

// Decodes "%XX" escapes. A '%' not followed by two hex digits is kept as is, so malformed
// input degrades to its literal text instead of failing. With `plus_as_space` (query strings,
// as browsers form-encode them) '+' becomes ' '.
std::string percent_decode(std::string_view in, bool plus_as_space = false);

}  // namespace osprey::net
