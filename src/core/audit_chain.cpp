#include "core/audit_chain.h"

#include <openssl/sha.h>

#include <array>
#include <nlohmann/json.hpp>

namespace osprey {
namespace {

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (unsigned char byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0x0f]);
  }
  return hex;
}

Status broken(const AuditEntry& entry, const std::string& why) {
  return make_error(ErrorCode::kConflict,
                    "audit chain broken at entry seq " + std::to_string(entry.seq) + ": " + why);
}

}  // namespace

std::string audit_entry_hash(std::string_view prev_hash, const AuditEntry& entry) {
  // nlohmann::json objects keep keys sorted, and dump() without indent has no whitespace; the
  // replace handler keeps invalid UTF-8 from throwing (it still changes the hash if edited).
  const nlohmann::json canonical = {
      {"seq", entry.seq},       {"at", entry.at},         {"actor", entry.actor},
      {"action", entry.action}, {"target", entry.target}, {"detail", entry.detail_json},
  };
  std::string input(prev_hash);
  input += canonical.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return sha256_hex(input);
}

Status verify_audit_chain(std::span<const AuditEntry> entries, const AuditChainStart& start) {
  std::int64_t expected_seq = start.seq;
  std::string expected_prev = start.prev_hash;
  for (const AuditEntry& entry : entries) {
    if (entry.seq < expected_seq) {
      return broken(entry, "out of order (expected seq " + std::to_string(expected_seq) + ")");
    }
    if (entry.seq > expected_seq) {
      return broken(
          entry, "entries missing before it (expected seq " + std::to_string(expected_seq) + ")");
    }
    if (entry.prev_hash != expected_prev) {
      return broken(entry, "prev_hash does not match the hash of the entry before it");
    }
    if (audit_entry_hash(entry.prev_hash, entry) != entry.hash) {
      return broken(entry, "hash mismatch: the entry was edited");
    }
    expected_prev = entry.hash;
    ++expected_seq;
  }
  return {};
}

}  // namespace osprey
