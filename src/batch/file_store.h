#pragma once
// FileStore: tenants' files (batch inputs they upload, batch outputs Osprey writes) as bytes
// under one directory (<data_dir>/files/<id>) with their metadata in the store's files table,
// which says who owns what. A file's bytes are written (atomically, fsynced) before its row,
// and its row is deleted before its bytes, so a listed file can always be read.
// Every method BLOCKS on the disk and the store: call from a WorkerPool or engine thread.
// Thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace osprey::batch {

class FileStore {
 public:
  // `dir` is created on first write; `max_bytes` bounds uploads (create), not outputs (put).
  FileStore(store::Store& store, std::string dir, std::uint64_t max_bytes);

  // A new file with a fresh id ("file-" and 24 hex digits). kPayloadTooLarge over max_bytes.
  Result<store::FileRecord> create(std::int64_t tenant_id, std::string_view purpose,
                                   std::string_view filename, std::string_view content) const;
  // Writes or rewrites the file `id` (outputs, whose ids derive from their job).
  Result<store::FileRecord> put(std::int64_t tenant_id, std::string_view id,
                                std::string_view purpose, std::string_view filename,
                                std::string_view content) const;
  // kNotFound ("No such File object: <id>") for an unknown id or another tenant's file.
  Result<store::FileRecord> get(std::optional<std::int64_t> tenant_id, std::string_view id) const;
  Result<std::string> read(std::optional<std::int64_t> tenant_id, std::string_view id) const;
  Result<std::vector<store::FileRecord>> list(const store::FileFilter& filter) const;
  Status remove(std::int64_t tenant_id, std::string_view id) const;

  std::uint64_t max_bytes() const { return max_bytes_; }

 private:
  std::string path_of(std::string_view id) const;

  store::Store& store_;
  const std::string dir_;
  const std::uint64_t max_bytes_;
};

}  // namespace osprey::batch
