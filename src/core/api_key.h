#pragma once
// API keys: generation, the short visible prefix shown in listings, and the hash that is the
// only thing stored. A key is shown to its owner once, at creation.
// Thread-safe: every function is pure apart from reading the OpenSSL CSPRNG.
#include <string>
#include <string_view>

#include "core/result.h"

namespace osprey {

inline constexpr std::string_view kApiKeyScheme = "osp_";
// Characters of the visible prefix after "osp_": enough to tell keys apart in a listing,
// far too few to help guess the rest (the key carries 256 random bits).
inline constexpr std::size_t kApiKeyPrefixChars = 8;

struct GeneratedApiKey {
  std::string key;     // "osp_" + 43 base62 characters; give to the user once, never store
  std::string prefix;  // "osp_" + first kApiKeyPrefixChars characters; safe to store and show
  std::string hash;    // api_key_hash(key)
};

// 32 bytes from RAND_bytes, base62-encoded. Fails with kInternal only if the CSPRNG does.
Result<GeneratedApiKey> generate_api_key();

// The visible prefix of `key`, or an empty string if `key` is not an "osp_" key.
std::string api_key_prefix(std::string_view key);

// Lowercase hex SHA-256 of the whole key. A fast unsalted hash is right here: the key holds 256
// bits from a CSPRNG, so nobody can brute-force it from the hash whatever the hash speed, and a
// deterministic hash allows one indexed lookup per request. Slow salted hashes (bcrypt, argon2)
// exist for low-entropy human passwords and would cost milliseconds on every request.
std::string api_key_hash(std::string_view key);

// Equality whose running time depends only on the lengths, not on where the inputs differ.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace osprey
