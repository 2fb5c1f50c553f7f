#include "batch/file_store.h"

#include <chrono>
#include <filesystem>

#include "core/durable_file.h"
#include "core/whole_file.h"
#include "net/request_id.h"

namespace osprey::batch {
namespace {

Error no_such_file(std::string_view id) {
  return make_error(ErrorCode::kNotFound, "No such File object: " + std::string(id));
}

// Ids name files on disk: only what a generated or derived id contains.
bool safe_id(std::string_view id) {
  if (id.empty() || id.size() > 200) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

FileStore::FileStore(store::Store& store, std::string dir, std::uint64_t max_bytes)
    : store_(store), dir_(std::move(dir)), max_bytes_(max_bytes) {}

std::string FileStore::path_of(std::string_view id) const { return dir_ + "/" + std::string(id); }

Result<store::FileRecord> FileStore::create(std::int64_t tenant_id, std::string_view purpose,
                                            std::string_view filename,
                                            std::string_view content) const {
  if (content.size() > max_bytes_) {
    return make_error(ErrorCode::kPayloadTooLarge, "file: " + std::to_string(content.size()) +
                                                       " bytes is over the limit of " +
                                                       std::to_string(max_bytes_) + " bytes");
  }
  const std::string id = "file-" + net::generate_request_id().substr(0, 24);
  return put(tenant_id, id, purpose, filename, content);
}

Result<store::FileRecord> FileStore::put(std::int64_t tenant_id, std::string_view id,
                                         std::string_view purpose, std::string_view filename,
                                         std::string_view content) const {
  if (!safe_id(id)) return make_error(ErrorCode::kInvalidRequest, "file id: bad characters");
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return make_error(ErrorCode::kInternal, "cannot create " + dir_ + ": " + ec.message());
  // A rewrite of an existing id must not replace another tenant's bytes.
  auto existing = store_.get_file(std::nullopt, id);
  if (!existing) return existing.error();
  if (existing.value() && existing.value()->tenant_id != tenant_id) {
    return make_error(ErrorCode::kConflict, "file id " + std::string(id) + " is taken");
  }
  if (Status st = write_file_atomically(dir_, id, content); !st.ok()) return st.error();
  store::FileRecord record{.id = std::string(id),
                           .tenant_id = tenant_id,
                           .purpose = std::string(purpose),
                           .filename = std::string(filename),
                           .bytes = static_cast<std::int64_t>(content.size()),
                           .created_at = unix_now()};
  if (Status st = store_.put_file(record); !st.ok()) {
    if (!existing.value()) std::filesystem::remove(path_of(id), ec);
    return st.error();
  }
  return record;
}

Result<store::FileRecord> FileStore::get(std::optional<std::int64_t> tenant_id,
                                         std::string_view id) const {
  auto found = store_.get_file(tenant_id, id);
  if (!found) return found.error();
  if (!found.value()) return no_such_file(id);
  return std::move(*found.value());
}

Result<std::string> FileStore::read(std::optional<std::int64_t> tenant_id,
                                    std::string_view id) const {
  auto record = get(tenant_id, id);
  if (!record) return record.error();
  auto content = read_whole_file(path_of(id));
  if (!content) return make_error(ErrorCode::kInternal, "cannot read file " + std::string(id));
  return content;
}

Result<std::vector<store::FileRecord>> FileStore::list(const store::FileFilter& filter) const {
  return store_.list_files(filter);
}

Status FileStore::remove(std::int64_t tenant_id, std::string_view id) const {
  auto deleted = store_.delete_file(tenant_id, id);
  if (!deleted) return deleted.error();
  if (!deleted.value()) return no_such_file(id);
  std::error_code ec;
  std::filesystem::remove(path_of(id), ec);  // the row is gone: a leftover file is unreachable
  return {};
}

}  // namespace osprey::batch
