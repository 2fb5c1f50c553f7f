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

// The first byte from `p` on that is not plain, or `end`. Sixteen bytes per step with SSE2 (part
// of every x86-64 CPU): JSON keys and values are mostly plain, and this scan is on the path of
// every request and log line.
inline const char* json_plain_run_stop(const char* p, const char* const end) {
#if defined(__SSE2__)
  for (; end - p >= 16; p += 16) {
    const unsigned mask = json_special_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    if (mask != 0) return p + __builtin_ctz(mask);
  }
#endif
  while (p != end && kJsonPlainByte[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

// The end of the run of plain bytes in `text` that starts at `i` (i itself when text[i] is not
// plain, or at the end).
inline std::size_t json_plain_run_end(std::string_view text, std::size_t i) {
  return static_cast<std::size_t>(json_plain_run_stop(text.data() + i, text.data() + text.size()) -
                                  text.data());
}

// The closing quote of the JSON string whose text starts at `p` (just past its opening quote),
// when every byte before it is plain; else null (an escape, a control byte, UTF-8, DEL, or no
// quote), and the caller's general scan decides. Most keys and values on the hot paths are plain
// and short: one or two 16-byte steps settle them.
inline const char* json_plain_string_end(const char* p, const char* const end) {
  p = json_plain_run_stop(p, end);
  return p != end && *p == '"' ? p : nullptr;
}

}  // namespace osprey
