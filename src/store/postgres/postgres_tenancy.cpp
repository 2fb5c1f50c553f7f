// PostgresStore: tenants and API keys.
#include "store/postgres/pg_query.h"
#include "store/postgres/postgres_store.h"
#include "store/tenancy_input.h"

namespace osprey::store {
namespace {

// Serializes key-version assignment with commits ("osprkeyv"): a sequence alone hands out
// numbers in call order, not commit order, and a replica polling "version > N" could skip a
// lower version that commits after it read a higher one.
constexpr std::string_view kKeyVersionLockId = "8030593576574953846";

#define OSPREY_TENANT_COLUMNS "t.id, t.name, t.tags, t.disabled, " OSPREY_PG_ISO("t.created_at")
#define OSPREY_KEY_COLUMNS \
  "k.id, k.tenant_id, k.name, k.prefix, k.plan, " OSPREY_PG_ISO("k.expires_at") ", " \
      OSPREY_PG_ISO("k.revoked_at") ", " OSPREY_PG_ISO("k.created_at") ", k.version, k.hash"
constexpr int kKeyColumnCount = 10;

std::int64_t to_int64(const std::string& text) { return std::stoll(text); }

Tenant read_tenant(const PgResult& r, int row, int first) {
  return Tenant{to_int64(r.text(row, first)), r.text(row, first + 1), r.text(row, first + 2),
                r.text(row, first + 3) == "t", r.text(row, first + 4)};
}

std::optional<std::string> optional_text(const PgResult& r, int row, int column) {
  if (r.is_null(row, column)) return std::nullopt;
  return r.text(row, column);
}

ApiKeyInfo read_key(const PgResult& r, int row) {
  return ApiKeyInfo{to_int64(r.text(row, 0)), to_int64(r.text(row, 1)), r.text(row, 2),
                    r.text(row, 3),           r.text(row, 4),           optional_text(r, row, 5),
                    optional_text(r, row, 6), r.text(row, 7),           to_int64(r.text(row, 8))};
}

Error not_found(const std::string& what, std::int64_t id) {
  return make_error(ErrorCode::kNotFound, what + " " + std::to_string(id) + " does not exist");
}

Status lock_key_versions(PgConnection& conn) {
  auto locked = conn.exec("SELECT pg_advisory_xact_lock($1::bigint)", {kKeyVersionLockId});
  if (!locked) return locked.error();
  return {};
}

}  // namespace

Result<Tenant> PostgresStore::create_tenant(std::string_view name, std::string_view tags_json) {
  if (Status s = check_name("tenant name", name); !s) return s.error();
  if (Status s = check_tags_json(tags_json); !s) return s.error();
  return with_connection([&](PgConnection& conn) -> Result<Tenant> {
    auto r = conn.exec(
        "INSERT INTO tenants AS t (name, tags) VALUES ($1, $2) RETURNING " OSPREY_TENANT_COLUMNS,
        {name, tags_json});
    if (!r) {
      if (pg_is_unique_violation(r.error())) {
        return make_error(ErrorCode::kConflict,
                          "a tenant named '" + std::string(name) + "' already exists");
      }
      return r.error();
    }
    return read_tenant(*r, 0, 0);
  });
}

Result<std::optional<Tenant>> PostgresStore::get_tenant(std::int64_t tenant_id) {
  const std::string id = std::to_string(tenant_id);
  return with_connection([&](PgConnection& conn) -> Result<std::optional<Tenant>> {
    auto r =
        conn.exec("SELECT " OSPREY_TENANT_COLUMNS " FROM tenants t WHERE t.id = $1::bigint", {id});
    if (!r) return r.error();
    if (r->rows() == 0) return std::optional<Tenant>();
    return std::optional<Tenant>(read_tenant(*r, 0, 0));
  });
}

Result<std::vector<Tenant>> PostgresStore::list_tenants() {
  return with_connection([&](PgConnection& conn) -> Result<std::vector<Tenant>> {
    auto r = conn.exec("SELECT " OSPREY_TENANT_COLUMNS " FROM tenants t ORDER BY t.id");
    if (!r) return r.error();
    std::vector<Tenant> tenants;
    for (int i = 0; i < r->rows(); ++i) tenants.push_back(read_tenant(*r, i, 0));
    return tenants;
  });
}

Status PostgresStore::update_tenant_tags(std::int64_t tenant_id, std::string_view tags_json) {
  if (Status s = check_tags_json(tags_json); !s) return s;
  const std::string id = std::to_string(tenant_id);
  return with_connection([&](PgConnection& conn) -> Status {
    auto r = conn.exec("UPDATE tenants SET tags = $2 WHERE id = $1::bigint", {id, tags_json});
    if (!r) return r.error();
    if (r->affected_rows() == 0) return not_found("tenant", tenant_id);
    return {};
  });
}

Status PostgresStore::disable_tenant(std::int64_t tenant_id) {
  const std::string id = std::to_string(tenant_id);
  return with_connection([&](PgConnection& conn) -> Status {
    return pg_transaction(conn, [&]() -> Status {
      if (Status s = lock_key_versions(conn); !s) return s;
      auto r = conn.exec("UPDATE tenants SET disabled = true WHERE id = $1::bigint", {id});
      if (!r) return r.error();
      if (r->affected_rows() == 0) return not_found("tenant", tenant_id);
      // nextval per row: every key gets its own version, so paging with a LIMIT skips none.
      auto bumped = conn.exec(
          "UPDATE api_keys SET version = nextval('api_key_versions') WHERE tenant_id = $1::bigint",
          {id});
      if (!bumped) return bumped.error();
      return {};
    });
  });
}

Result<ApiKeyInfo> PostgresStore::create_api_key(const NewApiKey& key) {
  if (Status s = check_name("key hash", key.hash); !s) return s.error();
  if (Status s = check_json_object("plan", key.plan_json); !s) return s.error();
  std::string expires_at;  // "" → NULL through NULLIF
  if (key.expires_at) {
    auto normal = normalize_timestamp("expires_at", *key.expires_at);
    if (!normal) return normal.error();
    expires_at = *normal;
  }
  const std::string tenant_id = std::to_string(key.tenant_id);
  return with_connection([&](PgConnection& conn) -> Result<ApiKeyInfo> {
    return pg_transaction(conn, [&]() -> Result<ApiKeyInfo> {
      if (Status s = lock_key_versions(conn); !s) return s.error();
      if (Status s = pg_require_tenant(conn, key.tenant_id); !s) return s.error();
      auto r = conn.exec(
          "INSERT INTO api_keys AS k (tenant_id, name, prefix, hash, plan, expires_at, version) "
          "VALUES ($1::bigint, $2, $3, $4, $5, NULLIF($6, '')::timestamptz, "
          "nextval('api_key_versions')) RETURNING " OSPREY_KEY_COLUMNS,
          {tenant_id, key.name, key.prefix, key.hash, key.plan_json, expires_at});
      if (!r) {
        if (pg_is_unique_violation(r.error())) {
          return make_error(ErrorCode::kConflict, "an API key with this hash already exists");
        }
        return r.error();
      }
      return read_key(*r, 0);
    });
  });
}

Result<std::optional<AuthenticatedKey>> PostgresStore::find_api_key_by_hash(std::string_view hash) {
  using Found = std::optional<AuthenticatedKey>;
  return with_connection([&](PgConnection& conn) -> Result<Found> {
    auto r = conn.exec("SELECT " OSPREY_KEY_COLUMNS ", " OSPREY_TENANT_COLUMNS
                       " FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.hash = $1",
                       {hash});
    if (!r) return r.error();
    if (r->rows() == 0) return Found();
    return Found(AuthenticatedKey{read_key(*r, 0), read_tenant(*r, 0, kKeyColumnCount)});
  });
}

Result<std::vector<ApiKeyInfo>> PostgresStore::list_api_keys(std::int64_t tenant_id) {
  const std::string id = std::to_string(tenant_id);
  return with_connection([&](PgConnection& conn) -> Result<std::vector<ApiKeyInfo>> {
    auto r = conn.exec("SELECT " OSPREY_KEY_COLUMNS
                       " FROM api_keys k WHERE k.tenant_id = $1::bigint ORDER BY k.id",
                       {id});
    if (!r) return r.error();
    std::vector<ApiKeyInfo> keys;
    for (int i = 0; i < r->rows(); ++i) keys.push_back(read_key(*r, i));
    return keys;
  });
}

Status PostgresStore::revoke_api_key(std::int64_t key_id) {
  const std::string id = std::to_string(key_id);
  return with_connection([&](PgConnection& conn) -> Status {
    return pg_transaction(conn, [&]() -> Status {
      if (Status s = lock_key_versions(conn); !s) return s;
      auto r = conn.exec(
          "UPDATE api_keys SET version = nextval('api_key_versions'), revoked_at = "
          "coalesce(revoked_at, now()) WHERE id = $1::bigint",
          {id});
      if (!r) return r.error();
      if (r->affected_rows() == 0) return not_found("API key", key_id);
      return {};
    });
  });
}

Result<std::vector<ApiKeyChange>> PostgresStore::list_key_changes_since(std::int64_t after_version,
                                                                        int limit) {
  if (limit <= 0) return make_error(ErrorCode::kInvalidRequest, "limit must be positive");
  const std::string after = std::to_string(after_version);
  const std::string max = std::to_string(limit);
  return with_connection([&](PgConnection& conn) -> Result<std::vector<ApiKeyChange>> {
    auto r = conn.exec("SELECT " OSPREY_KEY_COLUMNS
                       ", t.disabled FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE "
                       "k.version > $1::bigint ORDER BY k.version, k.id LIMIT $2::int",
                       {after, max});
    if (!r) return r.error();
    std::vector<ApiKeyChange> changes;
    for (int i = 0; i < r->rows(); ++i) {
      changes.push_back(
          ApiKeyChange{read_key(*r, i), r->text(i, 9), r->text(i, kKeyColumnCount) == "t"});
    }
    return changes;
  });
}

}  // namespace osprey::store
