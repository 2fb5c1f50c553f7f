#include "fakes/aws_event_stream.h"

#include <boost/crc.hpp>
#include <cstdint>

namespace osprey::fakes {

namespace {

void put_u32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>((v >> 24) & 0xff));
  out.push_back(static_cast<char>((v >> 16) & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
  out.push_back(static_cast<char>(v & 0xff));
}

std::uint32_t crc32(std::string_view bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

}  // namespace

std::string encode_event_stream_message(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view payload) {
  constexpr char kStringType = 7;
  std::string encoded_headers;
  for (const auto& [name, value] : headers) {
    encoded_headers.push_back(static_cast<char>(name.size()));
    encoded_headers += name;
    encoded_headers.push_back(kStringType);
    encoded_headers.push_back(static_cast<char>((value.size() >> 8) & 0xff));
    encoded_headers.push_back(static_cast<char>(value.size() & 0xff));
    encoded_headers += value;
  }
  const auto total = static_cast<std::uint32_t>(12 + encoded_headers.size() + payload.size() + 4);
  std::string out;
  out.reserve(total);
  put_u32(out, total);
  put_u32(out, static_cast<std::uint32_t>(encoded_headers.size()));
  put_u32(out, crc32(out));
  out += encoded_headers;
  out += payload;
  put_u32(out, crc32(out));
  return out;
}

std::string encode_event(std::string_view event_type, std::string_view json_payload) {
  return encode_event_stream_message({{":event-type", std::string(event_type)},
                                      {":content-type", "application/json"},
                                      {":message-type", "event"}},
                                     json_payload);
}

}  // namespace osprey::fakes
