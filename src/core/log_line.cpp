#include "core/log_line.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/json_plain_run.h"
#include "core/utf8.h"

namespace osprey::log {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Copies the plain bytes from `p` to `out` up to the first byte that needs escaping or a UTF-8
// check (or `end`), advancing both. Sixteen bytes per step while that many are left: all sixteen
// are stored even when fewer are plain, which the room of json_string_bound allows (at least
// six bytes of room per byte left, so sixteen for four or more).
inline void copy_plain_run(char*& out, const char*& p, const char* end) {
#if defined(__SSE2__)
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
    if (const unsigned mask = json_special_mask(v); mask != 0) {
      const auto plain = static_cast<std::size_t>(__builtin_ctz(mask));
      p += plain;
      out += plain;
      return;
    }
    p += 16;
    out += 16;
  }
  // 4 to 15 bytes left (most log values end so): gathered into one block by two overlapping
  // loads, tested at once and stored whole when all are plain; else byte by byte below.
  if (const auto left = static_cast<std::size_t>(end - p); left >= 4) {
    char block[16] = {};
    if (left >= 8) {
      std::memcpy(block, p, 8);
      std::memcpy(block + left - 8, end - 8, 8);
    } else {
      std::memcpy(block, p, 4);
      std::memcpy(block + left - 4, end - 4, 4);
    }
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block));
    if ((json_special_mask(v) & ((1u << left) - 1)) == 0) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
      p = end;
      out += left;
      return;
    }
  }
#endif
  while (p != end && kJsonPlainByte[static_cast<unsigned char>(*p)]) *out++ = *p++;
}

}  // namespace

char* write_json_string(char* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* p = text.data();
  const char* const end = p + text.size();
  *out++ = '"';
  for (;;) {
    copy_plain_run(out, p, end);
    if (p == end) break;
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(text, static_cast<std::size_t>(p - text.data()));
      if (len == 0) {
        std::memcpy(out, kReplacement.data(), kReplacement.size());
        out += kReplacement.size();
        ++p;
      } else {
        std::memcpy(out, p, len);
        out += len;
        p += len;
      }
      continue;
    }
    char escape = 0;
    switch (c) {
      case '"':
        escape = '"';
        break;
      case '\\':
        escape = '\\';
        break;
      case '\n':
        escape = 'n';
        break;
      case '\r':
        escape = 'r';
        break;
      case '\t':
        escape = 't';
        break;
      case '\b':
        escape = 'b';
        break;
      case '\f':
        escape = 'f';
        break;
      default:  // the other control characters and DEL
        break;
    }
    if (escape != 0) {
      *out++ = '\\';
      *out++ = escape;
    } else {
      std::memcpy(out, "\\u00", 4);
      out[4] = kHex[c >> 4];
      out[5] = kHex[c & 0xF];
      out += 6;
    }
    ++p;
  }
  *out++ = '"';
  return out;
}

char* write_json_double(char* out, double value) {
  if (!std::isfinite(value)) {
    std::memcpy(out, "null", 4);
    return out + 4;
  }
  // Fast path for whole thousandths below a million (latencies in milliseconds): the double
  // nearest to n/1000 prints as n/1000 in fixed notation without trailing zeros, which is what
  // the shortest round-trip form below gives for it, at a fraction of the cost.
  if (value >= 0.001 && value < 1e6) {
    const auto thousandths = static_cast<std::uint64_t>(std::llround(value * 1000));
    if (static_cast<double>(thousandths) / 1000 == value) {
      char* ptr = std::to_chars(out, out + 16, thousandths / 1000).ptr;
      if (const auto frac = static_cast<unsigned>(thousandths % 1000); frac != 0) {
        *ptr++ = '.';
        *ptr++ = static_cast<char>('0' + frac / 100);
        if (frac % 100 != 0) *ptr++ = static_cast<char>('0' + frac / 10 % 10);
        if (frac % 10 != 0) *ptr++ = static_cast<char>('0' + frac % 10);
      }
      return ptr;
    }
  }
  return std::to_chars(out, out + kJsonDoubleBound, value, std::chars_format::general).ptr;
}

void append_json_string(std::string& out, std::string_view text) {
  LineWriter writer(out);
  writer.json_string(text);
  writer.finish();
}

void append_json_double(std::string& out, double value) {
  LineWriter writer(out);
  writer.json_double(value);
  writer.finish();
}

void LineWriter::grow(std::size_t n) {
  const auto used = static_cast<std::size_t>(p_ - line_.data());
  line_.resize(std::max(2 * line_.size(), used + n + 64));
  p_ = line_.data() + used;
  end_ = line_.data() + line_.size();
}

}  // namespace osprey::log
