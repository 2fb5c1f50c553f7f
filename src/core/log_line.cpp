#include "core/log_line.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <ctime>

#include "core/json_plain_run.h"
#include "core/utf8.h"

namespace osprey::log {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    if (const std::size_t run_end = json_plain_run_end(text, i); run_end != i) {
      out.append(text.data() + i, run_end - i);
      i = run_end;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(text, i);
      if (len == 0) {
        out += kReplacement;
        ++i;
      } else {
        out.append(text.data() + i, len);
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

void append_json_double(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  // Fast path for whole thousandths below a million (latencies in milliseconds): the double
  // nearest to n/1000 prints as n/1000 in fixed notation without trailing zeros, which is what
  // the shortest round-trip form below gives for it, at a fraction of the cost.
  if (value >= 0.001 && value < 1e6) {
    const auto thousandths = static_cast<std::uint64_t>(std::llround(value * 1000));
    if (static_cast<double>(thousandths) / 1000 == value) {
      char buf[16];
      auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, thousandths / 1000);
      if (const auto frac = static_cast<unsigned>(thousandths % 1000); frac != 0) {
        *ptr++ = '.';
        *ptr++ = static_cast<char>('0' + frac / 100);
        if (frac % 100 != 0) *ptr++ = static_cast<char>('0' + frac / 10 % 10);
        if (frac % 10 != 0) *ptr++ = static_cast<char>('0' + frac % 10);
      }
      out.append(buf, ptr);
      return;
    }
  }
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general);
  out.append(buf, ptr);
}

void append_timestamp(std::string& out, std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  const auto ms_total = duration_cast<milliseconds>(when.time_since_epoch()).count();
  auto secs = static_cast<std::time_t>(ms_total / 1000);
  auto ms = static_cast<int>(ms_total % 1000);
  if (ms < 0) {  // before 1970: floor, not truncate
    ms += 1000;
    --secs;
  }
  // Lines come many per second: format the date and time once per second and thread.
  thread_local std::time_t cached_secs = -1;
  thread_local char cached[40];
  thread_local std::size_t cached_len = 0;
  if (secs != cached_secs || cached_len == 0) {
    std::tm tm{};
    gmtime_r(&secs, &tm);
    const int n =
        std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_len = n > 0 ? static_cast<std::size_t>(n) : 0;
    cached_secs = secs;
  }
  out.append(cached, cached_len);
  out += static_cast<char>('0' + ms / 100);
  out += static_cast<char>('0' + ms / 10 % 10);
  out += static_cast<char>('0' + ms % 10);
  out += 'Z';
}

}  // namespace osprey::log
