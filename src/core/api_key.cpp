#include "core/api_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <memory>

namespace osprey {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::size_t kRandomBytes = 32;
// ceil(256 / log2(62)) = 43 digits hold every 256-bit value.
constexpr std::size_t kBase62Digits = 43;

// Big-number base conversion by repeated division: fixed length, so every key has the same
// shape and leading zero bytes are kept.
std::string base62(std::array<unsigned char, kRandomBytes> bytes) {
  std::string out(kBase62Digits, '0');
  for (std::size_t digit = kBase62Digits; digit-- > 0;) {
    unsigned remainder = 0;
    for (unsigned char& byte : bytes) {
      const unsigned value = (remainder << 8) | byte;
      byte = static_cast<unsigned char>(value / 62);
      remainder = value % 62;
    }
    out[digit] = kBase62[remainder];
  }
  return out;
}

}  // namespace

Result<GeneratedApiKey> generate_api_key() {
  std::array<unsigned char, kRandomBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return make_error(ErrorCode::kInternal, "api key: the OpenSSL random generator failed");
  }
  GeneratedApiKey generated;
  generated.key = std::string(kApiKeyScheme) + base62(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  generated.prefix = api_key_prefix(generated.key);
  generated.hash = api_key_hash(generated.key);
  return generated;
}

std::string api_key_prefix(std::string_view key) {
  if (key.substr(0, kApiKeyScheme.size()) != kApiKeyScheme ||
      key.size() < kApiKeyScheme.size() + kApiKeyPrefixChars) {
    return {};
  }
  return std::string(key.substr(0, kApiKeyScheme.size() + kApiKeyPrefixChars));
}

namespace {

// SHA-256 of `data` into `digest`. Every request hashes its key: OpenSSL 3's SHA256() looks
// the algorithm up by name and allocates a context on each call, so both are kept instead (the
// algorithm once, a context per thread).
void sha256(std::string_view data, unsigned char* digest) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                                 EVP_MD_CTX_free);
  if (md != nullptr && ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1 &&
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
      EVP_DigestFinal_ex(ctx.get(), digest, nullptr) == 1) {
    return;
  }
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
}

}  // namespace

std::string api_key_hash(std::string_view key) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  sha256(key, digest.data());
  // Sized once and filled by index: a push_back per character (capacity check and length
  // update each time) cost ~750 instructions per request, a fifth of the whole hash.
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string hex(digest.size() * 2, '\0');
  for (std::size_t i = 0; i < digest.size(); ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0x0f];
  }
  return hex;
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  // OpenSSL's comparison is written so that no compiler can turn it into an early exit; a
  // hand-rolled loop would save ~250 instructions per request and give up that guarantee.
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace osprey
