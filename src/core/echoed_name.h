#pragma once
// echoed_name: a name the client chose (a model, a key name), as an error message may quote it.
// Short names help the caller and are quoted back; a long one (a 100 KB model name) would only
// bloat the answer and the logs, so it is described by its length.
#include <cstddef>
#include <string>
#include <string_view>

namespace osprey {

inline constexpr std::size_t kMaxEchoedName = 256;  // Bedrock ARNs run to ~150 bytes

// The name itself when at most kMaxEchoedName bytes, else "<N bytes>".
std::string echoed_name(std::string_view name);

}  // namespace osprey
