#include "net/plain_message.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "net/headers.h"
#include "net/http_token.h"
#include "net/http_whitespace.h"

namespace osprey::net {
namespace {

// A target byte on the fast path: visible ASCII (Beast also takes obs-text; those go to it).
bool is_target_char(char c) { return c > ' ' && c < 0x7f; }

// A field-value byte on the fast path: visible ASCII, space or tab.
bool is_value_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= ' ' && u < 0x7f);
}

// The first byte from `p` on that is not a field-value byte, or `end`. Values are most of a
// head's bytes; with SSE2 (every x86-64 CPU) they are checked sixteen at a time.
const char* value_run_stop(const char* p, const char* const end) {
#if defined(__SSE2__)
  for (; end - p >= 16; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: control bytes and every byte >= 0x80 are below ' '; tab is allowed.
    const __m128i bad = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                                         _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(' ')),
                                                      _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(bad));
    if (mask != 0) return p + __builtin_ctz(mask);
  }
#endif
  while (p != end && is_value_char(*p)) ++p;
  return p;
}

// Reads a Connection value as a plain token list. False if it is anything else.
bool read_connection(std::string_view value, bool* close, bool* keep_alive) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    const std::string_view token = trim_ows(value.substr(0, comma));
    for (const char c : token) {
      if (!is_token_char(c)) return false;
    }
    *close = *close || iequals(token, "close");
    *keep_alive = *keep_alive || iequals(token, "keep-alive");
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return true;
}

// Digits only, no sign, no overflow past `max` (anything larger is not plain anyway).
bool read_length(std::string_view value, std::size_t max, std::size_t* out) {
  if (value.empty() || value.size() > 19) return false;
  std::size_t n = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  if (n > max) return false;
  *out = n;
  return true;
}

enum class FieldKind { kOther, kContentLength, kConnection, kNotPlain };

// The fields the fast path reads or refuses; compared only when the length matches.
FieldKind field_kind(std::string_view name) {
  switch (name.size()) {
    case 6:
      return iequals(name, "expect") ? FieldKind::kNotPlain : FieldKind::kOther;
    case 7:
      return iequals(name, "upgrade") ? FieldKind::kNotPlain : FieldKind::kOther;
    case 10:
      return iequals(name, "connection") ? FieldKind::kConnection : FieldKind::kOther;
    case 14:
      return iequals(name, "content-length") ? FieldKind::kContentLength : FieldKind::kOther;
    case 16:  // a coded body is answered by the general path (content_coding.h)
      return iequals(name, "proxy-connection") || iequals(name, "content-encoding")
                 ? FieldKind::kNotPlain
                 : FieldKind::kOther;
    case 17:
      return iequals(name, "transfer-encoding") ? FieldKind::kNotPlain : FieldKind::kOther;
    default:
      return FieldKind::kOther;
  }
}

// "HTTP/1.1" or "HTTP/1.0" as 11 or 10; 0 for anything else.
unsigned read_version(std::string_view text) {
  if (text == "HTTP/1.1") return 11;
  if (text == "HTTP/1.0") return 10;
  return 0;
}

// Reads the fields between `pos` (just after the start line) and the empty line that begins at
// `head_end`, then the body, into `m`. False if anything is not plain, or if `require_length`
// and there is no Content-Length.
bool read_fields_and_body(std::string_view bytes, std::size_t pos, std::size_t head_end,
                          std::size_t max_body_bytes, bool require_length, PlainMessage& m) {
  bool close = false;
  bool keep_alive_token = false;
  bool seen_connection = false;
  bool seen_length = false;
  std::size_t length = 0;
  const char* const data = bytes.data();
  while (pos < head_end + 2) {
    // One pass over the line: the name up to ':', then value bytes up to CR, which must be
    // followed by LF (the head is known to end in CRLF CRLF, so the scan stays inside it).
    const std::size_t name_start = pos;
    while (is_token_char(data[pos])) ++pos;
    if (data[pos] != ':' || pos == name_start) return false;  // and obs-fold
    const std::string_view name(data + name_start, pos - name_start);
    const std::size_t value_start = ++pos;
    pos = static_cast<std::size_t>(value_run_stop(data + pos, data + bytes.size()) - data);
    if (data[pos] != '\r' || data[pos + 1] != '\n') return false;
    const std::string_view value =
        trim_ows(std::string_view(data + value_start, pos - value_start));
    pos += 2;
    switch (field_kind(name)) {
      case FieldKind::kContentLength:
        if (seen_length || !read_length(value, max_body_bytes, &length)) return false;
        seen_length = true;
        break;
      case FieldKind::kConnection:
        if (seen_connection || !read_connection(value, &close, &keep_alive_token)) return false;
        seen_connection = true;
        break;
      case FieldKind::kNotPlain:
        return false;  // framing or protocol changes: the general path handles them
      case FieldKind::kOther:
        break;
    }
    if (m.field_count == PlainMessage::kMaxFields) return false;
    m.fields[m.field_count++] = {name, value};
    m.field_bytes += name.size() + value.size();
  }
  if (require_length && !seen_length) return false;
  const std::size_t head_size = head_end + 4;
  if (bytes.size() - head_size < length) return false;  // the body is still on its way
  m.body = bytes.substr(head_size, length);
  m.size = head_size + length;
  // As Beast's keep_alive(): HTTP/1.1 unless "close", HTTP/1.0 only with "keep-alive".
  m.keep_alive = m.version == 11 ? !close : keep_alive_token;
  return true;
}

}  // namespace

std::optional<PlainRequest> parse_plain_request(std::string_view bytes, std::size_t max_head_bytes,
                                                std::size_t max_body_bytes) {
  const std::size_t head_end = bytes.substr(0, max_head_bytes).find("\r\n\r\n");
  if (head_end == std::string_view::npos) return std::nullopt;
  PlainRequest r;
  // Request line: method SP target SP HTTP/1.x CRLF.
  const std::string_view line = bytes.substr(0, bytes.find("\r\n"));
  const std::size_t sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos) return std::nullopt;
  r.method = line.substr(0, sp1);
  if (!is_token(r.method)) return std::nullopt;
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return std::nullopt;
  r.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  // Only origin-form is plain; the general path answers every other form (request_target.h).
  if (r.target.front() != '/') return std::nullopt;
  for (const char c : r.target) {
    if (!is_target_char(c)) return std::nullopt;
  }
  r.version = read_version(line.substr(sp2 + 1));
  if (r.version == 0) return std::nullopt;
  // A request without Content-Length has no body.
  if (!read_fields_and_body(bytes, line.size() + 2, head_end, max_body_bytes, false, r)) {
    return std::nullopt;
  }
  return r;
}

std::optional<PlainResponse> parse_plain_response(std::string_view bytes,
                                                  std::size_t max_head_bytes,
                                                  std::size_t max_body_bytes) {
  const std::size_t head_end = bytes.substr(0, max_head_bytes).find("\r\n\r\n");
  if (head_end == std::string_view::npos) return std::nullopt;
  PlainResponse r;
  // Status line: HTTP/1.x SP 3DIGIT SP reason CRLF.
  const std::string_view line = bytes.substr(0, bytes.find("\r\n"));
  if (line.size() < 13 || line[8] != ' ' || line[12] != ' ') return std::nullopt;
  r.version = read_version(line.substr(0, 8));
  if (r.version == 0) return std::nullopt;
  for (std::size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return std::nullopt;
    r.status = r.status * 10 + (line[i] - '0');
  }
  // 1xx, 204 and 304 carry no body whatever their fields say; 6xx and up are not HTTP.
  if (r.status < 200 || r.status > 599 || r.status == 204 || r.status == 304) return std::nullopt;
  for (const char c : line.substr(13)) {
    if (!is_value_char(c)) return std::nullopt;  // the reason phrase
  }
  // Without Content-Length the body runs to the end of the connection: not plain.
  if (!read_fields_and_body(bytes, line.size() + 2, head_end, max_body_bytes, true, r)) {
    return std::nullopt;
  }
  return r;
}

}  // namespace osprey::net
