#pragma once
// Standard base64 (RFC 4648 §4, with padding), used for inline image bytes on the wire.
// Pure functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace osprey::providers {

std::string base64_encode(std::string_view bytes);
// Returns nullopt on any character outside the alphabet or a bad length/padding.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace osprey::providers
