// SqliteStore: tenants and API keys.
#include "store/sqlite/sqlite_query.h"
#include "store/sqlite/sqlite_store.h"
#include "store/tenancy_input.h"

namespace osprey::store {
namespace {

constexpr std::string_view kTenantColumns = "t.id, t.name, t.tags, t.disabled, t.created_at";
constexpr std::string_view kKeyColumns =
    "k.id, k.tenant_id, k.name, k.prefix, k.plan, k.expires_at, k.revoked_at, k.created_at, "
    "k.version, k.hash";
// SQLite's RETURNING cannot name the table alias.
constexpr std::string_view kKeyReturning =
    "id, tenant_id, name, prefix, plan, expires_at, revoked_at, created_at, version, hash";
constexpr int kKeyColumnCount = 10;

Tenant read_tenant(const SqliteStatement& stmt, int first) {
  return Tenant{stmt.column_int64(first), stmt.column_text(first + 1), stmt.column_text(first + 2),
                stmt.column_int64(first + 3) != 0, stmt.column_text(first + 4)};
}

ApiKeyInfo read_key(const SqliteStatement& stmt) {
  return ApiKeyInfo{
      stmt.column_int64(0),         stmt.column_int64(1), stmt.column_text(2),
      stmt.column_text(3),          stmt.column_text(4),  stmt.column_optional_text(5),
      stmt.column_optional_text(6), stmt.column_text(7),  stmt.column_int64(8)};
}

bool is_unique_violation(const Error& error) {
  return error.message.find("UNIQUE constraint failed") != std::string::npos;
}

Error not_found(const std::string& what, std::int64_t id) {
  return make_error(ErrorCode::kNotFound, what + " " + std::to_string(id) + " does not exist");
}

Result<std::int64_t> next_key_version(SqliteConnection& conn) {
  auto stmt = sqlite_prepare_bound(conn, "SELECT coalesce(max(version), 0) + 1 FROM api_keys");
  if (!stmt) return stmt.error();
  ScopedReset reset(**stmt);
  if (auto row = (*stmt)->step(); !row) return row.error();
  return (*stmt)->column_int64(0);
}

Result<std::optional<Tenant>> select_tenant(SqliteConnection& conn, std::int64_t id) {
  auto stmt = sqlite_prepare_bound(
      conn, "SELECT " + std::string(kTenantColumns) + " FROM tenants t WHERE t.id = ?1", id);
  if (!stmt) return stmt.error();
  ScopedReset reset(**stmt);
  auto row = (*stmt)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Tenant>();
  return std::optional<Tenant>(read_tenant(**stmt, 0));
}

}  // namespace

Result<Tenant> SqliteStore::create_tenant(std::string_view name, std::string_view tags_json) {
  if (Status s = check_name("tenant name", name); !s) return s.error();
  if (Status s = check_tags_json(tags_json); !s) return s.error();
  return with_writer([&](SqliteConnection& conn) -> Result<Tenant> {
    auto stmt = sqlite_prepare_bound(
        conn,
        "INSERT INTO tenants (name, tags) VALUES (?1, ?2) RETURNING id, name, tags, "
        "disabled, created_at",
        name, tags_json);
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    auto row = (*stmt)->step();
    if (!row) {
      if (is_unique_violation(row.error())) {
        return make_error(ErrorCode::kConflict,
                          "a tenant named '" + std::string(name) + "' already exists");
      }
      return row.error();
    }
    return read_tenant(**stmt, 0);
  });
}

Result<std::optional<Tenant>> SqliteStore::get_tenant(std::int64_t tenant_id) {
  return with_reader([&](SqliteConnection& conn) { return select_tenant(conn, tenant_id); });
}

Result<std::vector<Tenant>> SqliteStore::list_tenants() {
  return with_reader([](SqliteConnection& conn) -> Result<std::vector<Tenant>> {
    auto stmt = sqlite_prepare_bound(
        conn, "SELECT " + std::string(kTenantColumns) + " FROM tenants t ORDER BY t.id");
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    std::vector<Tenant> tenants;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      tenants.push_back(read_tenant(**stmt, 0));
    }
    return tenants;
  });
}

Status SqliteStore::update_tenant_tags(std::int64_t tenant_id, std::string_view tags_json) {
  if (Status s = check_tags_json(tags_json); !s) return s;
  return with_writer([&](SqliteConnection& conn) -> Status {
    auto changed =
        sqlite_execute(conn, "UPDATE tenants SET tags = ?2 WHERE id = ?1", tenant_id, tags_json);
    if (!changed) return changed.error();
    if (*changed == 0) return not_found("tenant", tenant_id);
    return {};
  });
}

Status SqliteStore::disable_tenant(std::int64_t tenant_id) {
  return with_writer([&](SqliteConnection& conn) -> Status {
    return sqlite_transaction(conn, [&]() -> Status {
      auto changed =
          sqlite_execute(conn, "UPDATE tenants SET disabled = 1 WHERE id = ?1", tenant_id);
      if (!changed) return changed.error();
      if (*changed == 0) return not_found("tenant", tenant_id);
      auto version = next_key_version(conn);
      if (!version) return version.error();
      // Every key gets its own new version (base + id keeps them distinct), so a replica
      // paging through changes with a LIMIT never skips keys that share one version.
      auto bumped = sqlite_execute(
          conn, "UPDATE api_keys SET version = ?2 + id WHERE tenant_id = ?1", tenant_id, *version);
      if (!bumped) return bumped.error();
      return {};
    });
  });
}

Result<ApiKeyInfo> SqliteStore::create_api_key(const NewApiKey& key) {
  if (Status s = check_name("key hash", key.hash); !s) return s.error();
  if (Status s = check_json_object("plan", key.plan_json); !s) return s.error();
  std::optional<std::string> expires_at;
  if (key.expires_at) {
    auto normal = normalize_timestamp("expires_at", *key.expires_at);
    if (!normal) return normal.error();
    expires_at = *normal;
  }
  return with_writer([&](SqliteConnection& conn) -> Result<ApiKeyInfo> {
    return sqlite_transaction(conn, [&]() -> Result<ApiKeyInfo> {
      auto tenant = select_tenant(conn, key.tenant_id);
      if (!tenant) return tenant.error();
      if (!*tenant) return not_found("tenant", key.tenant_id);
      auto version = next_key_version(conn);
      if (!version) return version.error();
      auto stmt = sqlite_prepare_bound(
          conn,
          "INSERT INTO api_keys (tenant_id, name, prefix, hash, plan, expires_at, version) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING " +
              std::string(kKeyReturning),
          key.tenant_id, key.name, key.prefix, key.hash, key.plan_json, expires_at, *version);
      if (!stmt) return stmt.error();
      ScopedReset reset(**stmt);
      auto row = (*stmt)->step();
      if (!row) {
        if (is_unique_violation(row.error())) {
          return make_error(ErrorCode::kConflict, "an API key with this hash already exists");
        }
        return row.error();
      }
      return read_key(**stmt);
    });
  });
}

Result<std::optional<AuthenticatedKey>> SqliteStore::find_api_key_by_hash(std::string_view hash) {
  using Found = std::optional<AuthenticatedKey>;
  return with_reader([&](SqliteConnection& conn) -> Result<Found> {
    auto stmt = sqlite_prepare_bound(conn,
                                     "SELECT " + std::string(kKeyColumns) + ", " +
                                         std::string(kTenantColumns) +
                                         " FROM api_keys k JOIN tenants t ON t.id = k.tenant_id "
                                         "WHERE k.hash = ?1",
                                     hash);
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) return Found();
    return Found(AuthenticatedKey{read_key(**stmt), read_tenant(**stmt, kKeyColumnCount)});
  });
}

Result<std::vector<ApiKeyInfo>> SqliteStore::list_api_keys(std::int64_t tenant_id) {
  return with_reader([&](SqliteConnection& conn) -> Result<std::vector<ApiKeyInfo>> {
    auto stmt = sqlite_prepare_bound(conn,
                                     "SELECT " + std::string(kKeyColumns) +
                                         " FROM api_keys k WHERE k.tenant_id = ?1 ORDER BY k.id",
                                     tenant_id);
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    std::vector<ApiKeyInfo> keys;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      keys.push_back(read_key(**stmt));
    }
    return keys;
  });
}

Status SqliteStore::revoke_api_key(std::int64_t key_id) {
  return with_writer([&](SqliteConnection& conn) -> Status {
    return sqlite_transaction(conn, [&]() -> Status {
      auto version = next_key_version(conn);
      if (!version) return version.error();
      auto changed =
          sqlite_execute(conn,
                         "UPDATE api_keys SET version = ?2, revoked_at = coalesce(revoked_at, "
                         "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) WHERE id = ?1",
                         key_id, *version);
      if (!changed) return changed.error();
      if (*changed == 0) return not_found("API key", key_id);
      return {};
    });
  });
}

Result<std::vector<ApiKeyChange>> SqliteStore::list_key_changes_since(std::int64_t after_version,
                                                                      int limit) {
  if (limit <= 0) return make_error(ErrorCode::kInvalidRequest, "limit must be positive");
  return with_reader([&](SqliteConnection& conn) -> Result<std::vector<ApiKeyChange>> {
    auto stmt = sqlite_prepare_bound(conn,
                                     "SELECT " + std::string(kKeyColumns) +
                                         ", t.disabled FROM api_keys k JOIN tenants t ON t.id = "
                                         "k.tenant_id WHERE k.version > ?1 ORDER BY k.version, "
                                         "k.id LIMIT ?2",
                                     after_version, limit);
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    std::vector<ApiKeyChange> changes;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      changes.push_back(ApiKeyChange{read_key(**stmt), (*stmt)->column_text(9),
                                     (*stmt)->column_int64(kKeyColumnCount) != 0});
    }
    return changes;
  });
}

}  // namespace osprey::store
