#include "store/sqlite/sqlite_migrations.h"

#include <array>

namespace osprey::store {
namespace {

// Timestamps are ISO-8601 UTC text with milliseconds: sortable and readable with the sqlite3 CLI.
constexpr std::array kMigrations = {
    Migration{1, "create_settings", R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
)sql"},
    Migration{2, "create_tenancy", R"sql(
CREATE TABLE tenants (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  tags       TEXT NOT NULL DEFAULT '{}',
  disabled   INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE api_keys (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
  name       TEXT NOT NULL DEFAULT '',
  prefix     TEXT NOT NULL,
  hash       TEXT NOT NULL UNIQUE,
  plan       TEXT NOT NULL DEFAULT '{}',
  expires_at TEXT,
  revoked_at TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  version    INTEGER NOT NULL
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
CREATE INDEX api_keys_version ON api_keys (version);
CREATE TABLE usage_ledger (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,
  tenant_id   INTEGER NOT NULL,
  key_id      INTEGER NOT NULL,
  model       TEXT NOT NULL,
  deployment  TEXT NOT NULL,
  tokens_in   INTEGER NOT NULL,
  tokens_out  INTEGER NOT NULL,
  cost_micros INTEGER NOT NULL,
  latency_ms  INTEGER NOT NULL,
  status      INTEGER NOT NULL,
  cache_hit   INTEGER NOT NULL
);
CREATE INDEX usage_ledger_tenant_at ON usage_ledger (tenant_id, at);
CREATE TABLE usage_daily (
  day         TEXT NOT NULL,
  tenant_id   INTEGER NOT NULL,
  model       TEXT NOT NULL,
  requests    INTEGER NOT NULL,
  tokens_in   INTEGER NOT NULL,
  tokens_out  INTEGER NOT NULL,
  cost_micros INTEGER NOT NULL,
  cache_hits  INTEGER NOT NULL,
  PRIMARY KEY (day, tenant_id, model)
);
CREATE INDEX usage_daily_tenant_day ON usage_daily (tenant_id, day);
CREATE TABLE spend_counters (
  tenant_id       INTEGER NOT NULL,
  month           TEXT NOT NULL,
  spent_micros    INTEGER NOT NULL DEFAULT 0,
  reserved_micros INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, month)
);
CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY,
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
  id                INTEGER PRIMARY KEY,
  tenant_id         INTEGER NOT NULL REFERENCES tenants (id),
  workload          TEXT NOT NULL,
  spec              TEXT NOT NULL,
  priority          INTEGER NOT NULL,
  tags              TEXT NOT NULL DEFAULT '{}',
  resource          TEXT NOT NULL DEFAULT '',
  max_attempts      INTEGER NOT NULL,
  state             TEXT NOT NULL DEFAULT 'queued',
  cancel_requested  INTEGER NOT NULL DEFAULT 0,
  paused            INTEGER NOT NULL DEFAULT 0,
  idempotency_key   TEXT,
  body_hash         TEXT NOT NULL DEFAULT '',
  status_message    TEXT NOT NULL DEFAULT '',
  cost_micros       INTEGER NOT NULL DEFAULT 0,
  lease_expirations INTEGER NOT NULL DEFAULT 0,
  created_at        TEXT NOT NULL,
  started_at        TEXT,
  finished_at       TEXT
);
CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_tenant ON jobs (tenant_id, id);
CREATE INDEX jobs_unfinished ON jobs (id) WHERE finished_at IS NULL;
CREATE INDEX jobs_finished_at ON jobs (finished_at) WHERE finished_at IS NOT NULL;
-- Item keys are unique per job, checked by create_job (the only writer of new items): a unique
-- index would be rewritten on every state change of every item and slow claims down.
CREATE TABLE job_items (
  id               INTEGER PRIMARY KEY,
  job_id           INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  tenant_id        INTEGER NOT NULL,
  priority         INTEGER NOT NULL,
  resource         TEXT NOT NULL,
  max_attempts     INTEGER NOT NULL,
  fair_tag         INTEGER NOT NULL,
  key              TEXT NOT NULL,
  input            TEXT NOT NULL,
  state            TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  lease_seq        INTEGER NOT NULL DEFAULT 0,
  next_run_at      TEXT NOT NULL,
  lease_owner      TEXT,
  lease_expires_at TEXT,
  last_error_code  TEXT NOT NULL DEFAULT '',
  last_error       TEXT NOT NULL DEFAULT '',
  result           TEXT,
  cost_micros      INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT NOT NULL,
  finished_at      TEXT
);
CREATE INDEX job_items_claimable ON job_items (priority DESC, fair_tag, id) WHERE state = 'ready';
CREATE INDEX job_items_retry_due ON job_items (next_run_at) WHERE state = 'retry_wait';
CREATE INDEX job_items_lease_expiry ON job_items (lease_expires_at) WHERE state = 'leased';
CREATE INDEX job_items_job_state ON job_items (job_id, state);
CREATE TABLE job_fair_share (
  tenant_id INTEGER PRIMARY KEY,
  last_tag  INTEGER NOT NULL
);
)sql"},
    Migration{4, "create_experiments", R"sql(
-- model and temperature are generated from model_config so the common filters have indexes;
-- any other model_config field is matched with json_extract over the tenant's rows.
-- temperature has no declared type: no affinity, so it compares exactly like json_extract.
CREATE TABLE experiments (
  id                   INTEGER PRIMARY KEY,
  tenant_id            INTEGER NOT NULL REFERENCES tenants (id),
  job_id               INTEGER,
  item_key             TEXT NOT NULL DEFAULT '',
  maze_ref             TEXT NOT NULL,
  maze                 TEXT NOT NULL,
  start_x              INTEGER NOT NULL,
  start_y              INTEGER NOT NULL,
  agent                TEXT NOT NULL,
  model_config         TEXT NOT NULL,
  model                TEXT GENERATED ALWAYS AS (coalesce(json_extract(model_config, '$.model'), '')) VIRTUAL,
  temperature          GENERATED ALWAYS AS (json_extract(model_config, '$.temperature')) VIRTUAL,
  comment              TEXT NOT NULL DEFAULT '',
  seed                 INTEGER NOT NULL,
  state                TEXT NOT NULL DEFAULT 'queued',
  outcome              TEXT NOT NULL DEFAULT '',
  error                TEXT NOT NULL DEFAULT '',
  attempts             INTEGER NOT NULL DEFAULT 0,
  archived             INTEGER NOT NULL DEFAULT 0,
  measured             INTEGER NOT NULL DEFAULT 0,
  m_success            INTEGER NOT NULL DEFAULT 0,
  m_duration_ms        INTEGER NOT NULL DEFAULT 0,
  m_turns              INTEGER NOT NULL DEFAULT 0,
  m_actions            INTEGER NOT NULL DEFAULT 0,
  m_moves              INTEGER NOT NULL DEFAULT 0,
  m_optimal_moves      INTEGER NOT NULL DEFAULT -1,
  m_wall_collisions    INTEGER NOT NULL DEFAULT 0,
  m_revisits           INTEGER NOT NULL DEFAULT 0,
  m_loops              INTEGER NOT NULL DEFAULT 0,
  m_invalid_tool_calls INTEGER NOT NULL DEFAULT 0,
  m_missing_tool_calls INTEGER NOT NULL DEFAULT 0,
  m_tokens_in          INTEGER NOT NULL DEFAULT 0,
  m_tokens_out         INTEGER NOT NULL DEFAULT 0,
  m_cost_micros        INTEGER NOT NULL DEFAULT 0,
  m_extra              TEXT NOT NULL DEFAULT '{}',
  created_at           TEXT NOT NULL,
  started_at           TEXT,
  finished_at          TEXT
);
CREATE INDEX experiments_tenant ON experiments (tenant_id, id);
CREATE INDEX experiments_model ON experiments (tenant_id, model, id);
CREATE INDEX experiments_temperature ON experiments (tenant_id, temperature, id);
CREATE INDEX experiments_job_item ON experiments (job_id, item_key) WHERE job_id IS NOT NULL;
-- Clustered by (experiment_id, step_number): one experiment's actions are one range of the
-- b-tree, read in step order without a sort. No foreign key (a per-row parent lookup on every
-- insert); delete_experiment removes the actions in the same transaction.
CREATE TABLE experiment_actions (
  experiment_id INTEGER NOT NULL,
  step_number   INTEGER NOT NULL,
  turn_number   INTEGER NOT NULL,
  action_type   TEXT NOT NULL,
  reasoning     TEXT NOT NULL,
  from_x        INTEGER NOT NULL,
  from_y        INTEGER NOT NULL,
  to_x          INTEGER NOT NULL,
  to_y          INTEGER NOT NULL,
  success       INTEGER NOT NULL,
  tiles_seen    TEXT NOT NULL,
  tokens_in     INTEGER NOT NULL,
  tokens_out    INTEGER NOT NULL,
  cost_micros   INTEGER NOT NULL,
  model_ms      INTEGER NOT NULL,
  elapsed_ms    INTEGER NOT NULL,
  PRIMARY KEY (experiment_id, step_number)
) WITHOUT ROWID;
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
  seq        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
  purpose    TEXT NOT NULL,
  filename   TEXT NOT NULL,
  bytes      INTEGER NOT NULL,
  created_at INTEGER NOT NULL
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

std::span<const Migration> sqlite_migrations() { return kMigrations; }

}  // namespace osprey::store
