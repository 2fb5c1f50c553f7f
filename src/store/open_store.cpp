// open_store: picks the Store backend from the URL scheme.
#include "store/postgres/postgres_store.h"
#include "store/redacted_url.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace osprey::store {
namespace {

Status validate(const StoreOptions& options) {
  if (options.pool_size < 1) {
    return make_error(ErrorCode::kConfigInvalid, "store pool_size must be at least 1, got " +
                                                     std::to_string(options.pool_size));
  }
  if (options.busy_timeout_ms < 0) {
    return make_error(ErrorCode::kConfigInvalid, "store busy_timeout_ms must not be negative");
  }
  if (options.acquire_timeout_ms < 0) {
    return make_error(ErrorCode::kConfigInvalid, "store acquire_timeout_ms must not be negative");
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Store>> open_store(const StoreOptions& options) {
  if (Status s = validate(options); !s) return s.error();
  const std::string_view url = options.url;
  if (url.empty()) {
    return make_error(ErrorCode::kConfigInvalid,
                      "store URL is empty (expected sqlite:<path> or postgresql://...)");
  }
  if (url.starts_with("sqlite:")) {
    std::string_view path = url.substr(7);
    if (path.starts_with("//")) path.remove_prefix(2);  // sqlite:///abs/path
    auto store = SqliteStore::open(options, std::string(path));
    if (!store) return store.error();
    return std::unique_ptr<Store>(std::move(*store));
  }
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    auto store = PostgresStore::open(options);
    if (!store) return store.error();
    return std::unique_ptr<Store>(std::move(*store));
  }
  const std::size_t colon = url.find(':');
  const std::string scheme(colon == std::string_view::npos ? url : url.substr(0, colon));
  return make_error(ErrorCode::kConfigInvalid,
                    "unsupported store URL scheme '" + redact_url(scheme) + "' in '" +
                        redact_url(url) +
                        "' (expected sqlite:<path>, postgres:// or postgresql://)");
}

}  // namespace osprey::store
