#include "store/experiment_sql.h"

namespace osprey::store {
namespace {

// ISO-8601 UTC with milliseconds on PostgreSQL (SQLite stores that text already).
std::string timestamp(SqlDialect dialect, std::string_view column) {
  if (dialect == SqlDialect::kSqlite) return std::string(column);
  return "to_char(" + std::string(column) +
         " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

}  // namespace

std::string ExperimentSql::param(std::int64_t value) {
  args_.emplace_back(value);
  const std::string n = std::to_string(args_.size());
  return dialect_ == SqlDialect::kSqlite ? "?" + n : "$" + n + "::bigint";
}

std::string ExperimentSql::param(std::string value) {
  args_.emplace_back(std::move(value));
  const std::string n = std::to_string(args_.size());
  return dialect_ == SqlDialect::kSqlite ? "?" + n : "$" + n + "::text";
}

std::string ExperimentSql::columns(bool with_maze) const {
  const bool pg = dialect_ == SqlDialect::kPostgres;
  return std::string("id, tenant_id, job_id, item_key, maze_ref, ") + (with_maze ? "maze" : "''") +
         ", start_x, start_y, agent, model, " + (pg ? "model_config::text" : "model_config") +
         ", comment, seed, state, outcome, error, attempts, archived, measured, m_success, "
         "m_duration_ms, m_turns, m_actions, m_moves, m_optimal_moves, m_wall_collisions, "
         "m_revisits, m_loops, m_invalid_tool_calls, m_missing_tool_calls, m_tokens_in, "
         "m_tokens_out, m_cost_micros, m_extra, " +
         timestamp(dialect_, "created_at") + ", " + timestamp(dialect_, "started_at") + ", " +
         timestamp(dialect_, "finished_at");
}

std::string ExperimentSql::where(const ExperimentFilter& filter, bool paged) {
  const bool pg = dialect_ == SqlDialect::kPostgres;
  std::vector<std::string> terms;
  if (filter.tenant_id) terms.push_back("tenant_id = " + param(*filter.tenant_id));
  if (filter.job_id) terms.push_back("job_id = " + param(*filter.job_id));
  if (!filter.model.empty()) terms.push_back("model = " + param(filter.model));
  if (filter.state) {
    terms.push_back("state = " + param(std::string(experiment_state_name(*filter.state))));
  }
  if (!filter.outcome.empty()) terms.push_back("outcome = " + param(filter.outcome));
  if (!filter.include_archived) terms.push_back(pg ? "NOT archived" : "archived = 0");
  if (!filter.comment_contains.empty()) {
    terms.push_back(std::string(pg ? "strpos" : "instr") + "(lower(comment), lower(" +
                    param(filter.comment_contains) + ")) > 0");
  }
  if (!filter.config.empty()) {
    if (pg) {
      // One containment test for all fields: the GIN index answers it.
      terms.push_back("model_config @> " + param(config_containment_json(filter.config)) +
                      "::jsonb");
    } else {
      for (const ConfigMatch& match : filter.config) {
        const std::string value = param(match.value_json);
        if (match.key == "temperature") {  // the indexed generated column
          terms.push_back("temperature = json_extract(" + value + ", '$')");
          continue;
        }
        const std::string path = param(config_json_path(match.key));
        // json_extract maps true/false to 1/0: compare the kinds too, as jsonb does.
        terms.push_back("json_extract(model_config, " + path + ") = json_extract(" + value +
                        ", '$') AND (json_type(model_config, " + path +
                        ") IN ('true', 'false')) = (json_type(" + value +
                        ", '$') IN ('true', 'false'))");
      }
    }
  }
  if (paged && filter.before_id) terms.push_back("id < " + param(*filter.before_id));
  std::string sql;
  for (const std::string& term : terms) sql += (sql.empty() ? " WHERE " : " AND ") + term;
  return sql;
}

std::string ExperimentSql::compare(const ExperimentCompare& compare) {
  const bool pg = dialect_ == SqlDialect::kPostgres;
  std::vector<std::string> groups;
  if (compare.by_model) groups.emplace_back("model");
  for (const std::string& key : compare.config_keys) {
    // The field's JSON text, so a number, a string and a missing field stay distinct groups.
    groups.push_back(pg ? "coalesce((model_config -> " + param(key) + ")::text, 'null')"
                        : "coalesce(model_config -> " + param(config_json_path(key)) + ", 'null')");
  }
  const std::string measured = pg ? "measured" : "measured = 1";
  const std::string known_optimal = "(" + measured + " AND m_optimal_moves >= 0)";
  std::string sql = "SELECT ";
  for (const std::string& g : groups) sql += g + (pg ? " COLLATE \"C\", " : ", ");
  sql += "count(*), count(*) FILTER (WHERE " + measured + "), count(*) FILTER (WHERE " + measured +
         " AND m_success" + (pg ? "" : " = 1") +
         "), sum(m_duration_ms), sum(m_turns), sum(m_actions), sum(m_moves), "
         "coalesce(sum(m_optimal_moves) FILTER (WHERE " +
         known_optimal + "), 0), count(*) FILTER (WHERE " + known_optimal +
         "), sum(m_wall_collisions), sum(m_revisits), sum(m_loops), sum(m_invalid_tool_calls), "
         "sum(m_missing_tool_calls), sum(m_tokens_in), sum(m_tokens_out), sum(m_cost_micros) "
         "FROM experiments" +
         where(compare.filter, false);
  if (groups.empty()) {
    // Without GROUP BY the sums give one row even over no experiments: then none.
    sql += " HAVING count(*) > 0";
  } else {
    std::string ordinals;
    for (std::size_t i = 1; i <= groups.size(); ++i) {
      ordinals += (i > 1 ? ", " : "") + std::to_string(i);
    }
    sql += " GROUP BY " + ordinals + " ORDER BY " + ordinals;
  }
  return sql;
}

std::string ExperimentSql::select_by_id(std::int64_t id, std::optional<std::int64_t> tenant) {
  const std::string id_param = param(id);
  const std::string tenant_param = param(tenant.value_or(-1));
  return "SELECT " + columns(true) + " FROM experiments WHERE id = " + id_param + " AND (" +
         tenant_param + " < 0 OR tenant_id = " + tenant_param + ")";
}

std::string ExperimentSql::select_by_item(std::int64_t job_id, std::string item_key) {
  const std::string job_param = param(job_id);
  const std::string key_param = param(std::move(item_key));
  return "SELECT " + columns(true) + " FROM experiments WHERE job_id = " + job_param +
         " AND item_key = " + key_param + " ORDER BY id LIMIT 1";
}

std::string ExperimentSql::list(const ExperimentFilter& filter) {
  std::string sql = "SELECT " + columns(false) + " FROM experiments" + where(filter, true);
  return sql + " ORDER BY id DESC LIMIT " + param(std::int64_t{filter.limit});
}

}  // namespace osprey::store
