#pragma once
// The fast path for the common HTTP/1 message: a request the server reads, or a response the
// client reads, whose head and whole Content-Length body are already buffered, with nothing
// unusual in it. It reads a strict subset of what Beast's parser accepts, with the same result
// (start line, trimmed field values, keep-alive), and answers "not plain" for everything else
// (chunked or missing bytes, Expect, Upgrade, Content-Encoding, repeated framing fields,
// obs-fold, non-ASCII, a target other than an absolute path, any syntax error), which the caller
// then gives to Beast's parser, so every edge case and error keeps one implementation.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace osprey::net {

// What a plain request and a plain response have in common. Views into the parsed bytes.
struct PlainMessage {
  static constexpr std::size_t kMaxFields = 32;  // more fields: not plain

  unsigned version = 11;  // 10 or 11
  std::array<std::pair<std::string_view, std::string_view>, kMaxFields> fields;
  std::size_t field_count = 0;
  std::size_t field_bytes = 0;  // names and values together: what a Headers copy needs
  std::string_view body;
  bool keep_alive = true;
  std::size_t size = 0;  // bytes of head and body: what to consume from the buffer
};

struct PlainRequest : PlainMessage {
  std::string_view method;
  std::string_view target;
};

struct PlainResponse : PlainMessage {
  int status = 0;  // 200-599 other than 204 and 304 (the statuses whose body is framed)
};

// `bytes` must outlive the result. `max_head_bytes` and `max_body_bytes` are the reader's
// limits: a message over either is not plain (the general path answers it).
std::optional<PlainRequest> parse_plain_request(std::string_view bytes, std::size_t max_head_bytes,
                                                std::size_t max_body_bytes);
// Not for the answer to a HEAD request, whose Content-Length describes no body.
std::optional<PlainResponse> parse_plain_response(std::string_view bytes,
                                                  std::size_t max_head_bytes,
                                                  std::size_t max_body_bytes);

}  // namespace osprey::net
