#pragma once
// Records of the files table: metadata of the files tenants upload (batch inputs) and the
// files Osprey writes for them (batch outputs and errors). The bytes live on disk, not in the
// store (batch/file_store.h); the store keeps who owns what. Ids are opaque text
// ("file-<hex>"), unique across tenants; times are unix seconds, as OpenAI shows them.
#include <cstdint>
#include <optional>
#include <string>

namespace osprey::store {

struct FileRecord {
  std::string id;  // 1..200 bytes
  std::int64_t tenant_id = 0;
  std::string purpose;   // "batch", "batch_output", ...
  std::string filename;  // as uploaded (or chosen by Osprey)
  std::int64_t bytes = 0;
  std::int64_t created_at = 0;  // unix seconds
};

// list_files: newest first, keyset-paged with after_id (the last id of the previous page).
struct FileFilter {
  std::optional<std::int64_t> tenant_id;  // nullopt: all tenants
  std::string purpose;                    // "" = any
  std::string after_id;                   // "" = from the newest
  int limit = 100;                        // 1..10000
};

}  // namespace osprey::store
