// PostgresStore: maze experiments and their actions. Action batches travel by COPY (one
// stream, no per-row round trip or parse); a batch that repeats stored steps falls back to
// COPY into a temporary table + INSERT … ON CONFLICT DO NOTHING, so a replay adds nothing.
// A sweep's experiments are one INSERT … SELECT FROM unnest(arrays).
#include <algorithm>
#include <set>

#include "store/experiment_input.h"
#include "store/experiment_sql.h"
#include "store/job_input.h"
#include "store/postgres/pg_query.h"
#include "store/postgres/postgres_store.h"

namespace osprey::store {
namespace {

// One row of a result, as experiment_sql.h's readers want it. NULL numbers (sums over no
// rows) read as 0.
struct PgRow {
  const PgResult& r;
  int row;
  std::string text(int c) const { return r.text(row, c); }
  std::int64_t int64(int c) const { return r.is_null(row, c) ? 0 : std::stoll(r.text(row, c)); }
  bool boolean(int c) const { return r.text(row, c) == "t"; }
  bool is_null(int c) const { return r.is_null(row, c); }
};

std::vector<std::string> text_args(const ExperimentSql& sql) {
  std::vector<std::string> args;
  for (const SqlValue& v : sql.args()) {
    args.push_back(std::holds_alternative<std::int64_t>(v)
                       ? std::to_string(std::get<std::int64_t>(v))
                       : std::get<std::string>(v));
  }
  return args;
}

template <typename T, typename Read>
std::vector<T> read_rows(const PgResult& r, Read&& read) {
  std::vector<T> rows;
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) rows.push_back(read(PgRow{r, i}));
  return rows;
}

// The first experiment that `text` (selecting ExperimentSql::columns(true)) returns.
Result<std::optional<Experiment>> select_one(PgConnection& conn, const std::string& text,
                                             const ExperimentSql& sql) {
  auto r = conn.exec_values(text, text_args(sql));
  if (!r) return r.error();
  if (r->rows() == 0) return std::optional<Experiment>();
  return std::optional<Experiment>(read_experiment(PgRow{*r, 0}));
}

Result<std::optional<Experiment>> select_experiment(PgConnection& conn,
                                                    std::optional<std::int64_t> tenant,
                                                    std::int64_t id) {
  ExperimentSql sql(SqlDialect::kPostgres);
  const std::string text = sql.select_by_id(id, tenant);
  return select_one(conn, text, sql);
}

std::string copy_rows(std::span<const ExperimentAction> actions) {
  std::string out;
  out.reserve(actions.size() * 256);
  const auto number = [&out](std::int64_t n) {
    out += std::to_string(n);
    out.push_back('\t');
  };
  for (const ExperimentAction& a : actions) {
    number(a.experiment_id);
    number(a.step_number);
    number(a.turn_number);
    pg_append_copy_field(out, a.action_type);
    out.push_back('\t');
    pg_append_copy_field(out, a.reasoning);
    out.push_back('\t');
    number(a.from_x);
    number(a.from_y);
    number(a.to_x);
    number(a.to_y);
    out += a.success ? "t\t" : "f\t";
    pg_append_copy_field(out, a.tiles_seen_json);
    out.push_back('\t');
    number(a.tokens_in);
    number(a.tokens_out);
    number(a.cost_micros);
    number(a.model_ms);
    out += std::to_string(a.elapsed_ms);
    out.push_back('\n');
  }
  return out;
}

// kNotFound naming the first id in `ids` that has no experiment.
Status require_experiments(PgConnection& conn, const std::set<std::int64_t>& ids) {
  std::vector<std::string> texts;
  for (std::int64_t id : ids) texts.push_back(std::to_string(id));
  auto r = conn.exec_prepared("osprey_experiments_exist",
                              "SELECT i FROM unnest($1::bigint[]) AS i WHERE NOT EXISTS "
                              "(SELECT 1 FROM experiments e WHERE e.id = i) LIMIT 1",
                              {pg_array_literal(texts)});
  if (!r) return r.error();
  if (r->rows() > 0) return experiment_not_found(std::stoll(r->text(0, 0)));
  return {};
}

}  // namespace

Result<std::vector<std::int64_t>> PostgresStore::create_experiments(
    std::span<const NewExperiment> experiments) {
  if (Status s = check_new_experiments(experiments); !s) return s.error();
  std::vector<std::string> tenant, job, item_key, maze_ref, maze, start_x, start_y, agent, config,
      comment, seed;
  for (const NewExperiment& e : experiments) {
    tenant.push_back(std::to_string(e.tenant_id));
    job.push_back(std::to_string(e.job_id));
    item_key.push_back(e.item_key);
    maze_ref.push_back(e.maze_ref);
    maze.push_back(e.maze_json);
    start_x.push_back(std::to_string(e.start_x));
    start_y.push_back(std::to_string(e.start_y));
    agent.push_back(e.agent);
    config.push_back(e.model_config_json);
    comment.push_back(e.comment);
    seed.push_back(std::to_string(e.seed));
  }
  std::set<std::int64_t> tenants;
  for (const NewExperiment& e : experiments) tenants.insert(e.tenant_id);
  return with_connection([&](PgConnection& conn) -> Result<std::vector<std::int64_t>> {
    for (std::int64_t t : tenants) {
      if (Status s = pg_require_tenant(conn, t); !s) return s.error();
    }
    auto r = conn.exec_values(
        "INSERT INTO experiments (tenant_id, job_id, item_key, maze_ref, maze, start_x, start_y, "
        "agent, model_config, comment, seed) SELECT t, nullif(j, 0), k, mr, m, sx, sy, a, "
        "c::jsonb, cm, s FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], "
        "$5::text[], $6::int[], $7::int[], $8::text[], $9::text[], $10::text[], $11::bigint[]) "
        "WITH ORDINALITY AS x(t, j, k, mr, m, sx, sy, a, c, cm, s, n) ORDER BY n RETURNING id",
        {pg_array_literal(tenant), pg_array_literal(job), pg_array_literal(item_key),
         pg_array_literal(maze_ref), pg_array_literal(maze), pg_array_literal(start_x),
         pg_array_literal(start_y), pg_array_literal(agent), pg_array_literal(config),
         pg_array_literal(comment), pg_array_literal(seed)});
    if (!r) return r.error();
    std::vector<std::int64_t> ids;
    for (int i = 0; i < r->rows(); ++i) ids.push_back(std::stoll(r->text(i, 0)));
    // Ids come from the sequence in ORDER BY n order: ascending ids are input order.
    std::sort(ids.begin(), ids.end());
    return ids;
  });
}

Result<std::optional<Experiment>> PostgresStore::get_experiment(
    std::optional<std::int64_t> tenant_id, std::int64_t experiment_id) {
  return with_connection(
      [&](PgConnection& conn) { return select_experiment(conn, tenant_id, experiment_id); });
}

Result<std::optional<Experiment>> PostgresStore::find_experiment_by_item(
    std::int64_t job_id, std::string_view item_key) {
  return with_connection([&](PgConnection& conn) -> Result<std::optional<Experiment>> {
    ExperimentSql sql(SqlDialect::kPostgres);
    const std::string text = sql.select_by_item(job_id, std::string(item_key));
    return select_one(conn, text, sql);
  });
}

Status PostgresStore::set_experiment_job(std::int64_t experiment_id, std::int64_t job_id,
                                         std::string_view item_key) {
  const std::string id = std::to_string(experiment_id);
  const std::string job = std::to_string(job_id);
  return with_connection([&](PgConnection& conn) -> Status {
    auto r =
        conn.exec("UPDATE experiments SET job_id = $2::bigint, item_key = $3 WHERE id = $1::bigint",
                  {id, job, item_key});
    if (!r) return r.error();
    if (r->affected_rows() == 0) return experiment_not_found(experiment_id);
    return {};
  });
}

Result<Experiment> PostgresStore::update_experiment(const ExperimentUpdate& update) {
  if (Status s = check_experiment_update(update); !s) return s.error();
  const std::string id = std::to_string(update.id);
  const std::string state = update.state ? std::string(experiment_state_name(*update.state)) : "";
  const std::string finished = update.state && is_finished(*update.state) ? "t" : "f";
  return with_connection([&](PgConnection& conn) -> Result<Experiment> {
    return pg_transaction(conn, [&]() -> Result<Experiment> {
      // Empty text stands for "unchanged": states are never empty, and an empty outcome or
      // error is written through the has_* flags.
      auto r = conn.exec(
          "UPDATE experiments SET state = coalesce(nullif($2, ''), state), "
          "attempts = attempts + (CASE WHEN $2 = 'running' THEN 1 ELSE 0 END), "
          "started_at = CASE WHEN $2 = 'running' THEN coalesce(started_at, now()) "
          "ELSE started_at END, "
          "finished_at = CASE WHEN $3::boolean THEN now() WHEN $2 = '' THEN finished_at END, "
          "outcome = CASE WHEN $4::boolean THEN $5 ELSE outcome END, "
          "error = CASE WHEN $6::boolean THEN $7 ELSE error END WHERE id = $1::bigint",
          {id, state, finished, update.outcome ? "t" : "f", update.outcome.value_or(""),
           update.error ? "t" : "f", update.error.value_or("")});
      if (!r) return r.error();
      if (r->affected_rows() == 0) return experiment_not_found(update.id);
      if (update.metrics) {
        const ExperimentMetrics& m = *update.metrics;
        std::vector<std::string> params = {id, m.success ? "t" : "f"};
        for (std::int64_t n : {m.duration_ms, m.turns, m.actions, m.moves, m.optimal_moves,
                               m.wall_collisions, m.revisits, m.loops, m.invalid_tool_calls,
                               m.missing_tool_calls, m.tokens_in, m.tokens_out, m.cost_micros}) {
          params.push_back(std::to_string(n));
        }
        params.push_back(m.extra_json);
        auto set = conn.exec_values(
            "UPDATE experiments SET measured = true, m_success = $2::boolean, "
            "m_duration_ms = $3::bigint, m_turns = $4::bigint, m_actions = $5::bigint, "
            "m_moves = $6::bigint, m_optimal_moves = $7::bigint, m_wall_collisions = $8::bigint, "
            "m_revisits = $9::bigint, m_loops = $10::bigint, m_invalid_tool_calls = $11::bigint, "
            "m_missing_tool_calls = $12::bigint, m_tokens_in = $13::bigint, "
            "m_tokens_out = $14::bigint, m_cost_micros = $15::bigint, m_extra = $16 "
            "WHERE id = $1::bigint",
            params);
        if (!set) return set.error();
      }
      if (update.reset_actions) {
        auto reset =
            conn.exec("DELETE FROM experiment_actions WHERE experiment_id = $1::bigint", {id});
        if (!reset) return reset.error();
      }
      auto stored = select_experiment(conn, std::nullopt, update.id);
      if (!stored) return stored.error();
      if (!*stored) return experiment_not_found(update.id);
      return std::move(**stored);
    });
  });
}

Result<std::vector<Experiment>> PostgresStore::list_experiments(const ExperimentFilter& filter) {
  if (Status s = check_experiment_filter(filter); !s) return s.error();
  return with_connection([&](PgConnection& conn) -> Result<std::vector<Experiment>> {
    ExperimentSql sql(SqlDialect::kPostgres);
    const std::string text = sql.list(filter);
    auto r = conn.exec_values(text, text_args(sql));
    if (!r) return r.error();
    return read_rows<Experiment>(*r, [](const PgRow& row) { return read_experiment(row); });
  });
}

Result<std::vector<ExperimentAggregate>> PostgresStore::compare_experiments(
    const ExperimentCompare& compare) {
  if (Status s = check_experiment_compare(compare); !s) return s.error();
  return with_connection([&](PgConnection& conn) -> Result<std::vector<ExperimentAggregate>> {
    ExperimentSql sql(SqlDialect::kPostgres);
    const std::string text = sql.compare(compare);
    auto r = conn.exec_values(text, text_args(sql));
    if (!r) return r.error();
    return read_rows<ExperimentAggregate>(*r, [&](const PgRow& row) {
      return read_aggregate(row, compare.by_model, compare.config_keys.size());
    });
  });
}

Status PostgresStore::archive_experiment(std::optional<std::int64_t> tenant_id,
                                         std::int64_t experiment_id, bool archived) {
  const std::string id = std::to_string(experiment_id);
  const std::string tenant = std::to_string(tenant_id.value_or(-1));
  return with_connection([&](PgConnection& conn) -> Status {
    auto r = conn.exec(
        "UPDATE experiments SET archived = $3::boolean WHERE id = $1::bigint "
        "AND ($2::bigint < 0 OR tenant_id = $2::bigint)",
        {id, tenant, archived ? "t" : "f"});
    if (!r) return r.error();
    if (r->affected_rows() == 0) return experiment_not_found(experiment_id);
    return {};
  });
}

Status PostgresStore::delete_experiment(std::optional<std::int64_t> tenant_id,
                                        std::int64_t experiment_id) {
  const std::string id = std::to_string(experiment_id);
  const std::string tenant = std::to_string(tenant_id.value_or(-1));
  return with_connection([&](PgConnection& conn) -> Status {
    return pg_transaction(conn, [&]() -> Status {
      auto r = conn.exec(
          "DELETE FROM experiments WHERE id = $1::bigint "
          "AND ($2::bigint < 0 OR tenant_id = $2::bigint)",
          {id, tenant});
      if (!r) return r.error();
      if (r->affected_rows() == 0) return experiment_not_found(experiment_id);
      auto actions =
          conn.exec("DELETE FROM experiment_actions WHERE experiment_id = $1::bigint", {id});
      if (!actions) return actions.error();
      return {};
    });
  });
}

Result<std::int64_t> PostgresStore::append_actions(std::span<const ExperimentAction> actions) {
  if (Status s = check_actions(actions); !s) return s.error();
  std::set<std::int64_t> experiments;
  for (const ExperimentAction& a : actions) experiments.insert(a.experiment_id);
  const std::string rows = copy_rows(actions);
  const std::string columns(kActionColumns);
  return with_connection([&](PgConnection& conn) -> Result<std::int64_t> {
    if (Status s = require_experiments(conn, experiments); !s) return s.error();
    auto copied = pg_transaction(conn, [&]() -> Result<std::int64_t> {
      return conn.copy_in("COPY experiment_actions (" + columns + ") FROM STDIN", rows);
    });
    if (copied || !pg_is_unique_violation(copied.error())) return copied;
    // Some steps are stored already (a replayed batch): keep those rows, add the rest.
    return pg_transaction(conn, [&]() -> Result<std::int64_t> {
      if (Status s = conn.exec_script("CREATE TEMP TABLE IF NOT EXISTS experiment_actions_in "
                                      "(LIKE experiment_actions) ON COMMIT DELETE ROWS");
          !s) {
        return s.error();
      }
      auto staged = conn.copy_in("COPY experiment_actions_in (" + columns + ") FROM STDIN", rows);
      if (!staged) return staged.error();
      auto added = conn.exec(
          "INSERT INTO experiment_actions SELECT * FROM experiment_actions_in "
          "ON CONFLICT DO NOTHING");
      if (!added) return added.error();
      return std::int64_t{added->affected_rows()};
    });
  });
}

Result<std::vector<ExperimentAction>> PostgresStore::list_actions(
    std::optional<std::int64_t> tenant_id, std::int64_t experiment_id, std::int64_t after_step,
    int limit) {
  if (Status s = check_limit("limit", limit, kMaxActionsPerList); !s) return s.error();
  const std::string id = std::to_string(experiment_id);
  const std::string tenant = std::to_string(tenant_id.value_or(-1));
  const std::string after = std::to_string(after_step);
  const std::string max = std::to_string(limit);
  return with_connection([&](PgConnection& conn) -> Result<std::vector<ExperimentAction>> {
    // The owner check rides along as the first column, so one round trip answers both (an
    // experiment with no actions yet still gives its row through the LEFT JOIN).
    auto r = conn.exec_prepared(
        "osprey_list_actions",
        "SELECT a.* FROM (SELECT id FROM experiments WHERE id = $1::bigint "
        "AND ($2::bigint < 0 OR tenant_id = $2::bigint)) e LEFT JOIN LATERAL (SELECT " +
            std::string(kActionColumns) +
            " FROM experiment_actions WHERE experiment_id = e.id AND step_number > $3::bigint "
            "ORDER BY step_number LIMIT $4::bigint) a ON true",
        {id, tenant, after, max});
    if (!r) return r.error();
    if (r->rows() == 0) return experiment_not_found(experiment_id);
    if (r->rows() == 1 && r->is_null(0, 0)) return std::vector<ExperimentAction>{};
    return read_rows<ExperimentAction>(*r, [](const PgRow& row) { return read_action(row); });
  });
}

}  // namespace osprey::store
