// SqliteStore: maze experiments and their actions. Action batches are one BEGIN IMMEDIATE
// transaction on the writer with one cached INSERT OR IGNORE per row (in-process SQLite has no
// round trip to save, and the statement is prepared once per connection).
#include <set>

#include "store/experiment_input.h"
#include "store/experiment_sql.h"
#include "store/job_input.h"
#include "store/sqlite/sqlite_query.h"
#include "store/sqlite/sqlite_store.h"
#include "store/tenancy_input.h"

namespace osprey::store {
namespace {

// The current row of a statement, as experiment_sql.h's readers want it.
struct SqliteRow {
  const SqliteStatement& s;
  std::string text(int c) const { return s.column_text(c); }
  std::int64_t int64(int c) const { return s.column_int64(c); }
  bool boolean(int c) const { return s.column_int64(c) != 0; }
  bool is_null(int c) const { return s.column_is_null(c); }
};

std::string now_text() { return format_timestamp(std::chrono::system_clock::now()); }

// Prepares `sql` and binds the builder's arguments. REQUIRES: wrap in ScopedReset.
Result<SqliteStatement*> prepare_built(SqliteConnection& conn, const std::string& sql,
                                       const ExperimentSql& built) {
  auto stmt = conn.prepare_cached(sql);
  if (!stmt) return stmt.error();
  int index = 0;
  for (const SqlValue& value : built.args()) {
    ++index;
    Status s = std::holds_alternative<std::int64_t>(value)
                   ? (*stmt)->bind_int64(index, std::get<std::int64_t>(value))
                   : (*stmt)->bind_text(index, std::get<std::string>(value));
    if (!s) {
      (*stmt)->reset();
      return s.error();
    }
  }
  return *stmt;
}

// Every row of a prepared statement through `read`, which takes a SqliteRow.
template <typename T, typename Read>
Result<std::vector<T>> read_all(SqliteStatement& stmt, Read&& read) {
  return sqlite_read_rows<T>(stmt, [&](const SqliteStatement& s) { return read(SqliteRow{s}); });
}

// Whether `sql` (bound to `args`) returns a row.
template <typename... Args>
Result<bool> row_exists(SqliteConnection& conn, std::string_view sql, const Args&... args) {
  auto stmt = sqlite_prepare_bound(conn, sql, args...);
  if (!stmt) return stmt.error();
  ScopedReset reset(**stmt);
  return (*stmt)->step();
}

// The first experiment that `text` (selecting ExperimentSql::columns(true)) returns.
Result<std::optional<Experiment>> select_one(SqliteConnection& conn, const std::string& text,
                                             const ExperimentSql& sql) {
  auto stmt = prepare_built(conn, text, sql);
  if (!stmt) return stmt.error();
  auto rows = read_all<Experiment>(**stmt, [](const SqliteRow& r) { return read_experiment(r); });
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Experiment>();
  return std::optional<Experiment>(std::move(rows->front()));
}

Result<std::optional<Experiment>> select_experiment(SqliteConnection& conn,
                                                    std::optional<std::int64_t> tenant,
                                                    std::int64_t id) {
  ExperimentSql sql(SqlDialect::kSqlite);
  const std::string text = sql.select_by_id(id, tenant);
  return select_one(conn, text, sql);
}

Result<Experiment> require_experiment(SqliteConnection& conn, std::optional<std::int64_t> tenant,
                                      std::int64_t id) {
  auto found = select_experiment(conn, tenant, id);
  if (!found) return found.error();
  if (!*found) return experiment_not_found(id);
  return std::move(**found);
}

}  // namespace

Result<std::vector<std::int64_t>> SqliteStore::create_experiments(
    std::span<const NewExperiment> experiments) {
  if (Status s = check_new_experiments(experiments); !s) return s.error();
  return with_writer([&](SqliteConnection& conn) -> Result<std::vector<std::int64_t>> {
    return sqlite_transaction(conn, [&]() -> Result<std::vector<std::int64_t>> {
      std::set<std::int64_t> tenants;
      for (const NewExperiment& e : experiments) tenants.insert(e.tenant_id);
      for (std::int64_t tenant : tenants) {
        if (Status s = sqlite_require_tenant(conn, tenant); !s) return s.error();
      }
      const std::string now = now_text();
      std::vector<std::int64_t> ids;
      ids.reserve(experiments.size());
      for (const NewExperiment& e : experiments) {
        std::optional<std::int64_t> job;
        if (e.job_id != 0) job = e.job_id;
        auto insert = sqlite_prepare_bound(
            conn,
            "INSERT INTO experiments (tenant_id, job_id, item_key, maze_ref, maze, start_x, "
            "start_y, agent, model_config, comment, seed, created_at) VALUES (?1, ?2, ?3, ?4, ?5, "
            "?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
            e.tenant_id, job, e.item_key, e.maze_ref, e.maze_json, e.start_x, e.start_y, e.agent,
            e.model_config_json, e.comment, e.seed, now);
        if (!insert) return insert.error();
        ScopedReset reset(**insert);
        auto row = (*insert)->step();
        if (!row) return row.error();
        ids.push_back((*insert)->column_int64(0));
      }
      return ids;
    });
  });
}

Result<std::optional<Experiment>> SqliteStore::get_experiment(std::optional<std::int64_t> tenant_id,
                                                              std::int64_t experiment_id) {
  return with_reader(
      [&](SqliteConnection& conn) { return select_experiment(conn, tenant_id, experiment_id); });
}

Result<std::optional<Experiment>> SqliteStore::find_experiment_by_item(std::int64_t job_id,
                                                                       std::string_view item_key) {
  return with_reader([&](SqliteConnection& conn) -> Result<std::optional<Experiment>> {
    ExperimentSql sql(SqlDialect::kSqlite);
    const std::string text = sql.select_by_item(job_id, std::string(item_key));
    return select_one(conn, text, sql);
  });
}

Status SqliteStore::set_experiment_job(std::int64_t experiment_id, std::int64_t job_id,
                                       std::string_view item_key) {
  return with_writer([&](SqliteConnection& conn) -> Status {
    auto changed =
        sqlite_execute(conn, "UPDATE experiments SET job_id = ?2, item_key = ?3 WHERE id = ?1",
                       experiment_id, job_id, item_key);
    if (!changed) return changed.error();
    if (*changed == 0) return experiment_not_found(experiment_id);
    return {};
  });
}

Result<Experiment> SqliteStore::update_experiment(const ExperimentUpdate& update) {
  if (Status s = check_experiment_update(update); !s) return s.error();
  return with_writer([&](SqliteConnection& conn) -> Result<Experiment> {
    return sqlite_transaction(conn, [&]() -> Result<Experiment> {
      std::optional<std::string> state;
      if (update.state) state = std::string(experiment_state_name(*update.state));
      const bool finished = update.state && is_finished(*update.state);
      auto changed = sqlite_execute(
          conn,
          "UPDATE experiments SET state = coalesce(?2, state), "
          "attempts = attempts + (?2 IS 'running'), "
          "started_at = CASE WHEN ?2 IS 'running' THEN coalesce(started_at, ?3) "
          "ELSE started_at END, "
          "finished_at = CASE WHEN ?4 THEN ?3 WHEN ?2 IS NULL THEN finished_at END, "
          "outcome = coalesce(?5, outcome), error = coalesce(?6, error) WHERE id = ?1",
          update.id, state, now_text(), finished, update.outcome, update.error);
      if (!changed) return changed.error();
      if (*changed == 0) return experiment_not_found(update.id);
      if (update.metrics) {
        const ExperimentMetrics& m = *update.metrics;
        auto set = sqlite_execute(
            conn,
            "UPDATE experiments SET measured = 1, m_success = ?2, m_duration_ms = ?3, "
            "m_turns = ?4, m_actions = ?5, m_moves = ?6, m_optimal_moves = ?7, "
            "m_wall_collisions = ?8, m_revisits = ?9, m_loops = ?10, m_invalid_tool_calls = ?11, "
            "m_missing_tool_calls = ?12, m_tokens_in = ?13, m_tokens_out = ?14, "
            "m_cost_micros = ?15, m_extra = ?16 WHERE id = ?1",
            update.id, m.success, m.duration_ms, m.turns, m.actions, m.moves, m.optimal_moves,
            m.wall_collisions, m.revisits, m.loops, m.invalid_tool_calls, m.missing_tool_calls,
            m.tokens_in, m.tokens_out, m.cost_micros, m.extra_json);
        if (!set) return set.error();
      }
      if (update.reset_actions) {
        auto reset = sqlite_execute(conn, "DELETE FROM experiment_actions WHERE experiment_id = ?1",
                                    update.id);
        if (!reset) return reset.error();
      }
      return require_experiment(conn, std::nullopt, update.id);
    });
  });
}

Result<std::vector<Experiment>> SqliteStore::list_experiments(const ExperimentFilter& filter) {
  if (Status s = check_experiment_filter(filter); !s) return s.error();
  return with_reader([&](SqliteConnection& conn) -> Result<std::vector<Experiment>> {
    ExperimentSql sql(SqlDialect::kSqlite);
    const std::string text = sql.list(filter);
    auto stmt = prepare_built(conn, text, sql);
    if (!stmt) return stmt.error();
    return read_all<Experiment>(**stmt, [](const SqliteRow& r) { return read_experiment(r); });
  });
}

Result<std::vector<ExperimentAggregate>> SqliteStore::compare_experiments(
    const ExperimentCompare& compare) {
  if (Status s = check_experiment_compare(compare); !s) return s.error();
  return with_reader([&](SqliteConnection& conn) -> Result<std::vector<ExperimentAggregate>> {
    ExperimentSql sql(SqlDialect::kSqlite);
    const std::string text = sql.compare(compare);
    auto stmt = prepare_built(conn, text, sql);
    if (!stmt) return stmt.error();
    return read_all<ExperimentAggregate>(**stmt, [&](const SqliteRow& r) {
      return read_aggregate(r, compare.by_model, compare.config_keys.size());
    });
  });
}

Status SqliteStore::archive_experiment(std::optional<std::int64_t> tenant_id,
                                       std::int64_t experiment_id, bool archived) {
  return with_writer([&](SqliteConnection& conn) -> Status {
    auto changed = sqlite_execute(
        conn, "UPDATE experiments SET archived = ?3 WHERE id = ?1 AND (?2 < 0 OR tenant_id = ?2)",
        experiment_id, tenant_id.value_or(-1), archived);
    if (!changed) return changed.error();
    if (*changed == 0) return experiment_not_found(experiment_id);
    return {};
  });
}

Status SqliteStore::delete_experiment(std::optional<std::int64_t> tenant_id,
                                      std::int64_t experiment_id) {
  return with_writer([&](SqliteConnection& conn) -> Status {
    return sqlite_transaction(conn, [&]() -> Status {
      auto deleted = sqlite_execute(
          conn, "DELETE FROM experiments WHERE id = ?1 AND (?2 < 0 OR tenant_id = ?2)",
          experiment_id, tenant_id.value_or(-1));
      if (!deleted) return deleted.error();
      if (*deleted == 0) return experiment_not_found(experiment_id);
      auto actions = sqlite_execute(conn, "DELETE FROM experiment_actions WHERE experiment_id = ?1",
                                    experiment_id);
      if (!actions) return actions.error();
      return {};
    });
  });
}

Result<std::int64_t> SqliteStore::append_actions(std::span<const ExperimentAction> actions) {
  if (Status s = check_actions(actions); !s) return s.error();
  std::set<std::int64_t> experiments;
  for (const ExperimentAction& a : actions) experiments.insert(a.experiment_id);
  return with_writer([&](SqliteConnection& conn) -> Result<std::int64_t> {
    return sqlite_transaction(conn, [&]() -> Result<std::int64_t> {
      for (std::int64_t id : experiments) {
        auto found = row_exists(conn, "SELECT 1 FROM experiments WHERE id = ?1", id);
        if (!found) return found.error();
        if (!*found) return experiment_not_found(id);
      }
      auto insert = conn.prepare_cached("INSERT OR IGNORE INTO experiment_actions (" +
                                        std::string(kActionColumns) +
                                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                                        "?12, ?13, ?14, ?15, ?16)");
      if (!insert) return insert.error();
      SqliteStatement& stmt = **insert;
      std::int64_t added = 0;
      for (const ExperimentAction& a : actions) {
        // The texts live in `actions` until reset: bound without copies.
        ScopedReset reset(stmt);
        Status bound = stmt.bind_int64(1, a.experiment_id);
        const auto text = [&](int index, std::string_view value) {
          if (bound) bound = stmt.bind_text_static(index, value);
        };
        const auto number = [&](int index, std::int64_t value) {
          if (bound) bound = stmt.bind_int64(index, value);
        };
        number(2, a.step_number);
        number(3, a.turn_number);
        text(4, a.action_type);
        text(5, a.reasoning);
        number(6, a.from_x);
        number(7, a.from_y);
        number(8, a.to_x);
        number(9, a.to_y);
        number(10, a.success ? 1 : 0);
        text(11, a.tiles_seen_json);
        number(12, a.tokens_in);
        number(13, a.tokens_out);
        number(14, a.cost_micros);
        number(15, a.model_ms);
        number(16, a.elapsed_ms);
        if (!bound) return bound.error();
        if (auto done = stmt.step(); !done) return done.error();
        added += conn.changes();
      }
      return added;
    });
  });
}

Result<std::vector<ExperimentAction>> SqliteStore::list_actions(
    std::optional<std::int64_t> tenant_id, std::int64_t experiment_id, std::int64_t after_step,
    int limit) {
  if (Status s = check_limit("limit", limit, kMaxActionsPerList); !s) return s.error();
  return with_reader([&](SqliteConnection& conn) -> Result<std::vector<ExperimentAction>> {
    // One read transaction, so the existence check and the rows see the same snapshot.
    if (Status s = conn.exec("BEGIN"); !s) return s.error();
    auto rows = [&]() -> Result<std::vector<ExperimentAction>> {
      auto owned =
          row_exists(conn, "SELECT 1 FROM experiments WHERE id = ?1 AND (?2 < 0 OR tenant_id = ?2)",
                     experiment_id, tenant_id.value_or(-1));
      if (!owned) return owned.error();
      if (!*owned) return experiment_not_found(experiment_id);
      auto stmt = sqlite_prepare_bound(conn,
                                       "SELECT " + std::string(kActionColumns) +
                                           " FROM experiment_actions WHERE experiment_id = ?1 "
                                           "AND step_number > ?2 ORDER BY step_number LIMIT ?3",
                                       experiment_id, after_step, limit);
      if (!stmt) return stmt.error();
      return read_all<ExperimentAction>(**stmt, [](const SqliteRow& r) { return read_action(r); });
    }();
    (void)conn.exec("COMMIT");  // read-only: nothing to lose
    return rows;
  });
}

}  // namespace osprey::store
