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
    Migration{3, "create_jobs", R"sql(
CREATE TABLE jobs (
  id                BIGSERIAL PRIMARY KEY,
  tenant_id         BIGINT NOT NULL REFERENCES tenants (id),
  workload          TEXT NOT NULL,
  spec              TEXT NOT NULL,
  priority          INTEGER NOT NULL,
  tags              TEXT NOT NULL DEFAULT '{}',
  resource          TEXT NOT NULL DEFAULT '',
  max_attempts      INTEGER NOT NULL,
  state             TEXT NOT NULL DEFAULT 'queued',
  cancel_requested  BOOLEAN NOT NULL DEFAULT false,
  paused            BOOLEAN NOT NULL DEFAULT false,
  idempotency_key   TEXT,
  body_hash         TEXT NOT NULL DEFAULT '',
  status_message    TEXT NOT NULL DEFAULT '',
  cost_micros       BIGINT NOT NULL DEFAULT 0,
  lease_expirations BIGINT NOT NULL DEFAULT 0,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  started_at        TIMESTAMPTZ,
  finished_at       TIMESTAMPTZ
);
CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_tenant ON jobs (tenant_id, id);
CREATE INDEX jobs_unfinished ON jobs (id) WHERE finished_at IS NULL;
CREATE INDEX jobs_finished_at ON jobs (finished_at) WHERE finished_at IS NOT NULL;
-- Item keys are unique per job, checked by create_job (the only writer of new items): a unique
-- index would be rewritten on every state change of every item and slow claims down.
CREATE TABLE job_items (
  id               BIGSERIAL PRIMARY KEY,
  job_id           BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  tenant_id        BIGINT NOT NULL,
  priority         INTEGER NOT NULL,
  resource         TEXT NOT NULL,
  max_attempts     INTEGER NOT NULL,
  fair_tag         BIGINT NOT NULL,
  key              TEXT COLLATE "C" NOT NULL,
  input            TEXT NOT NULL,
  state            TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  lease_seq        BIGINT NOT NULL DEFAULT 0,
  next_run_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  lease_owner      TEXT,
  lease_expires_at TIMESTAMPTZ,
  last_error_code  TEXT NOT NULL DEFAULT '',
  last_error       TEXT NOT NULL DEFAULT '',
  result           TEXT,
  cost_micros      BIGINT NOT NULL DEFAULT 0,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at      TIMESTAMPTZ
);
-- Claims read only this partial index: it holds exactly the claimable items, in claim order.
CREATE INDEX job_items_claimable ON job_items (priority DESC, fair_tag, id) WHERE state = 'ready';
CREATE INDEX job_items_retry_due ON job_items (next_run_at) WHERE state = 'retry_wait';
CREATE INDEX job_items_lease_expiry ON job_items (lease_expires_at) WHERE state = 'leased';
CREATE INDEX job_items_job_state ON job_items (job_id, state, id);
CREATE TABLE job_fair_share (
  tenant_id BIGINT PRIMARY KEY,
  last_tag  BIGINT NOT NULL
);
)sql"},
    Migration{4, "create_experiments", R"sql(
-- model is generated from model_config for its index; any model_config field is matched by
-- containment (model_config @> '{"temperature":0.2}') through the GIN index.
CREATE TABLE experiments (
  id                   BIGSERIAL PRIMARY KEY,
  tenant_id            BIGINT NOT NULL REFERENCES tenants (id),
  job_id               BIGINT,
  item_key             TEXT COLLATE "C" NOT NULL DEFAULT '',
  maze_ref             TEXT NOT NULL,
  maze                 TEXT NOT NULL,
  start_x              INTEGER NOT NULL,
  start_y              INTEGER NOT NULL,
  agent                TEXT NOT NULL,
  model_config         JSONB NOT NULL,
  model                TEXT COLLATE "C" GENERATED ALWAYS AS (coalesce(model_config ->> 'model', '')) STORED,
  comment              TEXT NOT NULL DEFAULT '',
  seed                 BIGINT NOT NULL,
  state                TEXT NOT NULL DEFAULT 'queued',
  outcome              TEXT NOT NULL DEFAULT '',
  error                TEXT NOT NULL DEFAULT '',
  attempts             INTEGER NOT NULL DEFAULT 0,
  archived             BOOLEAN NOT NULL DEFAULT false,
  measured             BOOLEAN NOT NULL DEFAULT false,
  m_success            BOOLEAN NOT NULL DEFAULT false,
  m_duration_ms        BIGINT NOT NULL DEFAULT 0,
  m_turns              BIGINT NOT NULL DEFAULT 0,
  m_actions            BIGINT NOT NULL DEFAULT 0,
  m_moves              BIGINT NOT NULL DEFAULT 0,
  m_optimal_moves      BIGINT NOT NULL DEFAULT -1,
  m_wall_collisions    BIGINT NOT NULL DEFAULT 0,
  m_revisits           BIGINT NOT NULL DEFAULT 0,
  m_loops              BIGINT NOT NULL DEFAULT 0,
  m_invalid_tool_calls BIGINT NOT NULL DEFAULT 0,
  m_missing_tool_calls BIGINT NOT NULL DEFAULT 0,
  m_tokens_in          BIGINT NOT NULL DEFAULT 0,
  m_tokens_out         BIGINT NOT NULL DEFAULT 0,
  m_cost_micros        BIGINT NOT NULL DEFAULT 0,
  m_extra              TEXT NOT NULL DEFAULT '{}',
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  started_at           TIMESTAMPTZ,
  finished_at          TIMESTAMPTZ
);
CREATE INDEX experiments_tenant ON experiments (tenant_id, id);
CREATE INDEX experiments_model ON experiments (tenant_id, model, id);
CREATE INDEX experiments_config ON experiments USING GIN (model_config jsonb_path_ops);
CREATE INDEX experiments_job_item ON experiments (job_id, item_key) WHERE job_id IS NOT NULL;
-- The primary key (experiment_id, step_number) reads one experiment's actions in step order
-- and makes a replayed batch detectable. No foreign key: COPY would run a per-row trigger;
-- delete_experiment removes the actions in the same transaction.
CREATE TABLE experiment_actions (
  experiment_id BIGINT NOT NULL,
  step_number   BIGINT NOT NULL,
  turn_number   BIGINT NOT NULL,
  action_type   TEXT NOT NULL,
  reasoning     TEXT NOT NULL,
  from_x        INTEGER NOT NULL,
  from_y        INTEGER NOT NULL,
  to_x          INTEGER NOT NULL,
  to_y          INTEGER NOT NULL,
  success       BOOLEAN NOT NULL,
  tiles_seen    TEXT NOT NULL,
  tokens_in     BIGINT NOT NULL,
  tokens_out    BIGINT NOT NULL,
  cost_micros   BIGINT NOT NULL,
  model_ms      BIGINT NOT NULL,
  elapsed_ms    BIGINT NOT NULL,
  PRIMARY KEY (experiment_id, step_number)
);
)sql"},
    // A driver (the native batch driver) runs some jobs' items instead of the engine and keeps
    // its own state per job here (provider job ids and states), so it survives a restart.
    Migration{5, "add_job_driver_state", R"sql(
ALTER TABLE jobs ADD COLUMN driver_state TEXT NOT NULL DEFAULT '';
)sql"},
    Migration{6, "create_files", R"sql(
-- Metadata of stored files (batch inputs and outputs); the bytes live under the data dir.
-- seq orders listings (newest first) and pages them.
CREATE TABLE files (
  seq        BIGSERIAL PRIMARY KEY,
  id         TEXT COLLATE "C" NOT NULL UNIQUE,
  tenant_id  BIGINT NOT NULL REFERENCES tenants (id),
  purpose    TEXT NOT NULL,
  filename   TEXT NOT NULL,
  bytes      BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX files_tenant ON files (tenant_id, seq);
)sql"},
    // No query reads the ledger by (tenant_id, at): /admin/usage, /v1/usage and the budget read
    // the daily rollup. Appending to that index cost more than a third of every ledger row's
    // insert (a seek and, every ~18 rows, a rebalance of its right-hand leaf pages).
    Migration{7, "drop_usage_ledger_tenant_at", R"sql(
DROP INDEX usage_ledger_tenant_at;
)sql"},
};

}  // namespace

std::span<const Migration> postgres_migrations() { return kMigrations; }

}  // namespace osprey::store
