#pragma once
// The byte scan shared by the JSON string writers and readers (log lines, the providers'
// DOM-free codec): how many bytes from a position need no escaping and no UTF-8 check, so that
// they are copied or skipped as one run instead of one byte at a time.
#include <array>
#include <cstddef>
#include <string_view>

namespace osprey {

// Printable ASCII other than '"' and '\\' (0x20-0x7E): what a JSON string carries as it is.
inline constexpr std::array<bool, 256> kJsonPlainByte = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x7F; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}();

// The end of the run of plain bytes in `text` that starts at `i` (i itself when text[i] is not
// plain, or at the end).
inline std::size_t json_plain_run_end(std::string_view text, std::size_t i) {
  const char* p = text.data() + i;
  const char* const end = text.data() + text.size();
  while (p != end && kJsonPlainByte[static_cast<unsigned char>(*p)]) ++p;
  return static_cast<std::size_t>(p - text.data());
}

}  // namespace osprey
