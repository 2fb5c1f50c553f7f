#include "core/pii_redactor_screen.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace osprey {
namespace {

constexpr int kRun = 8;

#if defined(__SSE2__)
// Bit i set when byte i of `v` is a number byte; `at` collects '@' bytes.
std::uint32_t number_mask(__m128i v, std::uint32_t& at) {
  at |= static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('@'))));
  // Signed compares: bytes >= 0x80 are negative, so below '('.
  const __m128i in_range = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('(' - 1)),
                                         _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
  const __m128i space = _mm_cmpeq_epi8(v, _mm_set1_epi8(' '));
  return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_or_si128(in_range, space)));
}

// True when `bits` has kRun consecutive set bits.
bool has_run(std::uint32_t bits) {
  static_assert(kRun == 8, "three shift steps cover 8 bits");
  bits &= bits >> 1;
  bits &= bits >> 2;
  bits &= bits >> 4;
  return bits != 0;
}
#else
bool number_byte(char c) { return c == ' ' || (c >= '(' && c <= '9'); }
#endif

}  // namespace

bool may_hold_builtin_pii(std::string_view text) {
#if defined(__SSE2__)
  // Sixteen bytes per step. Any run of kRun bytes lies within two neighbouring blocks, so each
  // block's mask is checked together with the previous block's.
  std::uint32_t at = 0, previous = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  for (; end - p >= 16; p += 16) {
    const std::uint32_t mask =
        number_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), at);
    if (at != 0 || has_run(previous | (mask << 16))) return true;
    previous = mask;
  }
  if (p != end) {
    char tail[16] = {};  // zero bytes are not number bytes
    std::memcpy(tail, p, static_cast<std::size_t>(end - p));
    const std::uint32_t mask = number_mask(_mm_loadu_si128(reinterpret_cast<__m128i*>(tail)), at);
    if (at != 0 || has_run(previous | (mask << 16))) return true;
  }
  return false;
#else
  int run = 0;
  for (char c : text) {
    if (c == '@') return true;
    run = number_byte(c) ? run + 1 : 0;
    if (run >= kRun) return true;
  }
  return false;
#endif
}

}  // namespace osprey
