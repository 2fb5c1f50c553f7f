#pragma once
// The byte scan shared by the JSON string writers and readers (log lines, the providers'
// DOM-free codec): how many bytes from a position need no escaping and no UTF-8 check, so that
// they are copied or skipped as one run instead of one byte at a time.
#include <array>
#include <cstddef>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace osprey {

// Printable ASCII other than '"' and '\\' (0x20-0x7E): what a JSON string carries as it is.
inline constexpr std::array<bool, 256> kJsonPlainByte = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x7F; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}();

#if defined(__SSE2__)
// Bit k set when byte k of `v` is not plain.
inline unsigned json_special_mask(__m128i v) {
  // Signed compare: control bytes and every byte >= 0x80 are below 0x20.
  const __m128i special = _mm_or_si128(
      _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F))));
  return static_cast<unsigned>(_mm_movemask_epi8(special));
}
#endif

// The end of the run of plain bytes in `text` that starts at `i` (i itself when text[i] is not
// plain, or at the end). Sixteen bytes per step with SSE2 (part of every x86-64 CPU): JSON keys
// and values are mostly plain, and this scan is on the path of every request and log line.
inline std::size_t json_plain_run_end(std::string_view text, std::size_t i) {
  const char* p = text.data() + i;
  const char* const end = text.data() + text.size();
#if defined(__SSE2__)
  while (end - p >= 16) {
    const unsigned mask = json_special_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    if (mask != 0) {
      return static_cast<std::size_t>(p - text.data()) +
             static_cast<std::size_t>(__builtin_ctz(mask));
    }
    p += 16;
  }
#endif
  while (p != end && kJsonPlainByte[static_cast<unsigned char>(*p)]) ++p;
  return static_cast<std::size_t>(p - text.data());
}

}  // namespace osprey
