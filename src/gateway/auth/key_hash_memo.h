#pragma once
// The hash of the last API key this thread authenticated. A keep-alive connection presents the
// same key on every request, so remembering one key and its hash per thread saves the SHA-256
// (about 3k instructions) on most requests. The memo maps a key to its hash and nothing else:
// whether the key is valid is still decided by the KeyCache on every request, so revocation is
// unaffected. It lives in memory only, like the request that carried the key.
#include <string>
#include <string_view>

namespace osprey::gateway {

// api_key_hash(key), from this thread's memo when `key` is the one it hashed last. The reference
// is valid until the next call on this thread (do not hold it across a suspension).
const std::string& memoized_api_key_hash(std::string_view key);

}  // namespace osprey::gateway
