#include "providers/bedrock/event_stream_decoder.h"

#include <array>

namespace osprey::providers::bedrock {
namespace {

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = make_crc_table();

std::uint64_t read_be(std::string_view s, std::size_t offset, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(s[offset + i]);
  return v;
}

Error corrupt(const std::string& what) {
  return make_error(ErrorCode::kUpstreamError, "bedrock event stream: " + what);
}

// Parses the header block; returns false if it is malformed.
bool parse_headers(std::string_view block, EventStreamMessage& out) {
  std::size_t p = 0;
  while (p < block.size()) {
    const std::size_t name_len = static_cast<unsigned char>(block[p++]);
    if (p + name_len + 1 > block.size()) return false;
    std::string name(block.substr(p, name_len));
    p += name_len;
    const int type = static_cast<unsigned char>(block[p++]);
    std::string value;
    auto fixed = [&](std::size_t n) {
      if (p + n > block.size()) return false;
      value = std::to_string(static_cast<std::int64_t>(read_be(block, p, n)));
      p += n;
      return true;
    };
    switch (type) {
      case 0:
        value = "true";
        break;
      case 1:
        value = "false";
        break;
      case 2:
        if (!fixed(1)) return false;
        break;
      case 3:
        if (!fixed(2)) return false;
        break;
      case 4:
        if (!fixed(4)) return false;
        break;
      case 5:
        if (!fixed(8)) return false;
        break;
      case 6:
      case 7: {
        if (p + 2 > block.size()) return false;
        const std::size_t len = read_be(block, p, 2);
        p += 2;
        if (p + len > block.size()) return false;
        value = std::string(block.substr(p, len));
        p += len;
        break;
      }
      case 8:
        if (p + 8 > block.size()) return false;
        value = std::string(block.substr(p, 8));
        p += 8;
        break;
      case 9:
        if (p + 16 > block.size()) return false;
        value = std::string(block.substr(p, 16));
        p += 16;
        break;
      default:
        return false;
    }
    out.headers.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

}  // namespace

std::uint32_t crc32(std::string_view bytes, std::uint32_t crc) {
  crc = ~crc;
  for (char ch : bytes) crc = kCrcTable[(crc ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::string_view EventStreamMessage::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

Result<std::vector<EventStreamMessage>> EventStreamDecoder::feed(std::string_view bytes) {
  if (failed_) return corrupt("stream already failed");
  buffer_.append(bytes);
  std::vector<EventStreamMessage> out;
  constexpr std::size_t kPrelude = 12;
  constexpr std::size_t kMinimum = kPrelude + 4;
  std::size_t pos = 0;
  while (buffer_.size() - pos >= kPrelude) {
    const std::string_view view(buffer_.data() + pos, buffer_.size() - pos);
    const auto total = static_cast<std::uint32_t>(read_be(view, 0, 4));
    const auto headers_len = static_cast<std::uint32_t>(read_be(view, 4, 4));
    const auto prelude_crc = static_cast<std::uint32_t>(read_be(view, 8, 4));
    if (crc32(view.substr(0, 8)) != prelude_crc) {
      failed_ = true;
      return corrupt("prelude CRC mismatch");
    }
    if (total < kMinimum || total > kMaxMessageBytes || headers_len > total - kMinimum) {
      failed_ = true;
      return corrupt("invalid frame lengths");
    }
    if (view.size() < total) break;  // wait for the rest of the frame
    const auto message_crc = static_cast<std::uint32_t>(read_be(view, total - 4, 4));
    if (crc32(view.substr(0, total - 4)) != message_crc) {
      failed_ = true;
      return corrupt("message CRC mismatch");
    }
    EventStreamMessage msg;
    if (!parse_headers(view.substr(kPrelude, headers_len), msg)) {
      failed_ = true;
      return corrupt("malformed headers");
    }
    msg.payload = std::string(view.substr(kPrelude + headers_len, total - kMinimum - headers_len));
    out.push_back(std::move(msg));
    pos += total;
  }
  buffer_.erase(0, pos);
  return out;
}

}  // namespace osprey::providers::bedrock
