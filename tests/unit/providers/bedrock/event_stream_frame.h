#pragma once
// Test support: encodes AWS event stream frames (string headers only) so tests can feed the
// decoder realistic bytes built from recorded ConverseStream events.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "providers/bedrock/event_stream_decoder.h"

namespace osprey::providers::bedrock::testing {

inline void put_be32(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xff);
}

inline std::string encode_raw_frame(const std::string& headers, const std::string& payload) {
  std::string frame;
  put_be32(frame, static_cast<std::uint32_t>(16 + headers.size() + payload.size()));
  put_be32(frame, static_cast<std::uint32_t>(headers.size()));
  put_be32(frame, crc32(frame));
  frame += headers;
  frame += payload;
  put_be32(frame, crc32(frame));
  return frame;
}

// The header block of string headers, as a frame carries it.
inline std::string encode_headers(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string block;
  for (const auto& [name, value] : headers) {
    block += static_cast<char>(name.size());
    block += name;
    block += static_cast<char>(7);  // string
    block += static_cast<char>((value.size() >> 8) & 0xff);
    block += static_cast<char>(value.size() & 0xff);
    block += value;
  }
  return block;
}

inline std::string encode_frame(const std::vector<std::pair<std::string, std::string>>& headers,
                                const std::string& payload) {
  return encode_raw_frame(encode_headers(headers), payload);
}

}  // namespace osprey::providers::bedrock::testing
