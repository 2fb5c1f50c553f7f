#pragma once
// EventStreamDecoder splits an AWS event stream (application/vnd.amazon.eventstream, used by
// Bedrock ConverseStream) into messages: 4-byte total length, 4-byte headers length, prelude
// CRC32, headers, payload, message CRC32 (all big-endian). Bytes may arrive in any chunking.
// Both CRCs are checked; a corrupt frame is an error and the decoder stays failed.
// Not thread-safe: one instance per stream.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace osprey::providers::bedrock {

struct EventStreamMessage {
  // Header values are rendered as text: strings as-is, integers in decimal, booleans as
  // "true"/"false"; byte arrays, timestamps and UUIDs as their raw bytes.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload;

  // The value of header `name`, or empty.
  std::string_view header(std::string_view name) const;
};

// CRC-32 (IEEE 802.3, as zlib's crc32), continuing from `crc` (0 to start).
std::uint32_t crc32(std::string_view bytes, std::uint32_t crc = 0);

class EventStreamDecoder {
 public:
  // Frames above this size are rejected (AWS caps event stream messages at 16 MiB).
  static constexpr std::uint32_t kMaxMessageBytes = 16 * 1024 * 1024;

  // Appends bytes and returns every message now complete (possibly none).
  Result<std::vector<EventStreamMessage>> feed(std::string_view bytes);
  // Bytes held for an incomplete frame; non-zero at end of stream means truncation.
  std::size_t buffered() const { return buffer_.size(); }

 private:
  std::string buffer_;
  bool failed_ = false;
};

}  // namespace osprey::providers::bedrock
