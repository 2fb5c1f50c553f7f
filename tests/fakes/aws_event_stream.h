#pragma once
// AWS event stream framing (`application/vnd.amazon.eventstream`), the binary format of
// Bedrock's ConverseStream: each message is a 12-byte prelude (total length, headers length,
// CRC32 of those 8 bytes), typed headers, the payload, and a CRC32 of everything before it.
// Pure functions; thread-safe.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace osprey::fakes {

// One message with string-typed (type 7) headers.
std::string encode_event_stream_message(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view payload);

// An `event` message: headers :event-type, :content-type application/json, :message-type event.
std::string encode_event(std::string_view event_type, std::string_view json_payload);

}  // namespace osprey::fakes
