#include "store/postgres/postgres_migrations.h"

#include <array>

namespace osprey::store {
namespace {

// Keys use the "C" collation: bytewise order (same as SQLite) whatever the database locale,
// and prefix scans can use the primary-key index.
constexpr std::array kMigrations = {
    Migration{1, "create_settings", R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE settings (
  key        TEXT COLLATE "C" PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
)sql"},
    Migration{2, "create_tenancy", R"sql(
CREATE TABLE tenants (
  id         BIGSERIAL PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  tags       TEXT NOT NULL DEFAULT '{}',
  disabled   BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE SEQUENCE api_key_versions;
CREATE TABLE api_keys (
  id         BIGSERIAL PRIMARY KEY,
  tenant_id  BIGINT NOT NULL REFERENCES tenants (id),
  name       TEXT NOT NULL DEFAULT '',
  prefix     TEXT NOT NULL,
  hash       TEXT NOT NULL UNIQUE,
  plan       TEXT NOT NULL DEFAULT '{}',
  expires_at TIMESTAMPTZ,
  revoked_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  version    BIGINT NOT NULL
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
CREATE INDEX api_keys_version ON api_keys (version);
CREATE TABLE usage_ledger (
  id          BIGSERIAL PRIMARY KEY,
  at          TIMESTAMPTZ NOT NULL,
  tenant_id   BIGINT NOT NULL,
  key_id      BIGINT NOT NULL,
  model       TEXT NOT NULL,
  deployment  TEXT NOT NULL,
  tokens_in   BIGINT NOT NULL,
  tokens_out  BIGINT NOT NULL,
  cost_micros BIGINT NOT NULL,
  latency_ms  BIGINT NOT NULL,
  status      INTEGER NOT NULL,
  cache_hit   BOOLEAN NOT NULL
);
CREATE INDEX usage_ledger_tenant_at ON usage_ledger (tenant_id, at);
CREATE TABLE usage_daily (
  day         TEXT COLLATE "C" NOT NULL,
  tenant_id   BIGINT NOT NULL,
  model       TEXT COLLATE "C" NOT NULL,
  requests    BIGINT NOT NULL,
  tokens_in   BIGINT NOT NULL,
  tokens_out  BIGINT NOT NULL,
  cost_micros BIGINT NOT NULL,
  cache_hits  BIGINT NOT NULL,
  PRIMARY KEY (day, tenant_id, model)
);
CREATE INDEX usage_daily_tenant_day ON usage_daily (tenant_id, day);
CREATE TABLE spend_counters (
  tenant_id       BIGINT NOT NULL,
  month           TEXT NOT NULL,
  spent_micros    BIGINT NOT NULL DEFAULT 0,
  reserved_micros BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, month)
);
CREATE TABLE audit_log (
  seq       BIGINT PRIMARY KEY,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  target    TEXT NOT NULL,
  detail    TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
)sql"},
};

}  // namespace

std::span<const Migration> postgres_migrations() { return kMigrations; }

}  // namespace osprey::store
