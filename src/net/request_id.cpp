#include "net/request_id.h"

#include <cstdint>
#include <random>

namespace osprey::net {

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

std::string generate_request_id() {
  // Ids only need to be unique, not unpredictable, so a fast per-thread generator suffices.
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = rng();
    for (int i = 0; i < 16; ++i) {
      id[half * 16 + i] = kHex[bits & 0xf];
      bits >>= 4;
    }
  }
  return id;
}

std::string request_id_from(std::string_view client_supplied) {
  if (valid_request_id(client_supplied)) return std::string(client_supplied);
  return generate_request_id();
}

}  // namespace osprey::net
