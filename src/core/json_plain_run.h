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

// The end of the run of plain bytes in `text` that starts at `i` (i itself when text[i] is not
// plain, or at the end). Sixteen bytes per step with SSE2 (part of every x86-64 CPU): JSON keys
// and values are mostly plain, and this scan is on the path of every request and log line.
inline std::size_t json_plain_run_end(std::string_view text, std::size_t i) {
  const char* p = text.data() + i;
  const char* const end = text.data() + text.size();
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i del = _mm_set1_epi8(0x7F);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: control bytes and every byte >= 0x80 are below 0x20.
    const __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, quote)),
                     _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmpeq_epi8(v, del)));
    if (const int mask = _mm_movemask_epi8(special); mask != 0) {
      return static_cast<std::size_t>(p - text.data()) +
             static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
    p += 16;
  }
#endif
  while (p != end && kJsonPlainByte[static_cast<unsigned char>(*p)]) ++p;
  return static_cast<std::size_t>(p - text.data());
}

}  // namespace osprey
