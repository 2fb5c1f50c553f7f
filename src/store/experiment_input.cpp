#include "store/experiment_input.h"

#include <array>
#include <nlohmann/json.hpp>
#include <set>

#include "core/json_parse.h"
#include "store/job_input.h"
#include "store/tenancy_input.h"

namespace osprey::store {
namespace {

constexpr std::array<std::string_view, 5> kStateNames = {"queued", "running", "completed", "failed",
                                                         "cancelled"};

bool has_nul(std::string_view text) { return text.find('\0') != std::string_view::npos; }

Status check_text(std::string_view field, std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes || has_nul(text)) {
    return invalid_field(field,
                         "must be at most " + std::to_string(max_bytes) + " bytes without NUL");
  }
  return {};
}

Status check_json_text(std::string_view field, std::string_view json) {
  if (has_nul(json)) return invalid_field(field, "is not valid JSON");
  if (json_nesting_exceeds(json) || !nlohmann::json::accept(json)) {
    return invalid_field(field, "is " + json_refusal(json));
  }
  return {};
}

Status check_model_config(std::string_view field, std::string_view json) {
  if (Status s = check_json_object(field, json); !s) return s;
  const nlohmann::json config = nlohmann::json::parse(json);
  if (config.contains("model") && !config["model"].is_string()) {
    return invalid_field(std::string(field) + ".model", "must be a string");
  }
  return {};
}

Status check_config_key(std::string_view field, std::string_view key) {
  const bool ok = !key.empty() && key.size() <= 64 &&
                  key.find_first_not_of(
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                      "0123456789_-") == std::string_view::npos;
  if (!ok) return invalid_field(field, "must be 1 to 64 characters of A-Z a-z 0-9 _ -");
  return {};
}

Status check_metrics(const ExperimentMetrics& m) {
  const std::array counts = {m.duration_ms,        m.turns,     m.actions,    m.moves,
                             m.wall_collisions,    m.revisits,  m.loops,      m.invalid_tool_calls,
                             m.missing_tool_calls, m.tokens_in, m.tokens_out, m.cost_micros};
  for (std::int64_t n : counts) {
    if (n < 0) return invalid_field("metrics", "counts, durations and costs cannot be negative");
  }
  if (m.optimal_moves < -1) return invalid_field("metrics.optimal_moves", "must be >= -1");
  return check_json_object("metrics.extra", m.extra_json);
}

}  // namespace

std::string_view experiment_state_name(ExperimentState state) {
  return kStateNames[static_cast<std::size_t>(state)];
}

std::optional<ExperimentState> parse_experiment_state(std::string_view name) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == name) return static_cast<ExperimentState>(i);
  }
  return std::nullopt;
}

Status check_new_experiments(std::span<const NewExperiment> experiments) {
  if (experiments.empty()) return invalid_field("experiments", "at least one is needed");
  for (std::size_t i = 0; i < experiments.size(); ++i) {
    const NewExperiment& e = experiments[i];
    const std::string field = "experiments[" + std::to_string(i) + "]";
    if (Status s = check_name(field + ".maze_ref", e.maze_ref); !s) return s;
    if (Status s = check_name(field + ".agent", e.agent); !s) return s;
    if (Status s = check_json_text(field + ".maze", e.maze_json); !s) return s;
    if (Status s = check_model_config(field + ".model_config", e.model_config_json); !s) return s;
    if (Status s = check_text(field + ".comment", e.comment, 10000); !s) return s;
    if (Status s = check_text(field + ".item_key", e.item_key, 512); !s) return s;
    if (e.start_x < 0 || e.start_y < 0)
      return invalid_field(field + ".start", "cannot be negative");
    if (e.job_id < 0) return invalid_field(field + ".job_id", "cannot be negative");
  }
  return {};
}

Status check_experiment_update(const ExperimentUpdate& update) {
  if (update.outcome) {
    if (Status s = check_text("outcome", *update.outcome, 64); !s) return s;
  }
  if (update.error) {
    if (Status s = check_text("error", *update.error, 10000); !s) return s;
  }
  if (update.metrics) return check_metrics(*update.metrics);
  return {};
}

Status check_actions(std::span<const ExperimentAction> actions) {
  if (actions.empty() || actions.size() > kMaxActionsPerAppend) {
    return invalid_field("actions", "a batch holds 1 to " + std::to_string(kMaxActionsPerAppend));
  }
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const ExperimentAction& a = actions[i];
    if (a.step_number < 1 || a.turn_number < 0 || a.tokens_in < 0 || a.tokens_out < 0 ||
        a.cost_micros < 0 || a.model_ms < 0 || a.elapsed_ms < 0) {
      return invalid_field("actions[" + std::to_string(i) + "]",
                           "step_number must be >= 1; turn, tokens, cost and times >= 0");
    }
    if (a.action_type.empty() || a.action_type.size() > 64 || has_nul(a.action_type)) {
      return invalid_field("actions[" + std::to_string(i) + "].action_type",
                           "must be 1 to 64 bytes");
    }
    if (Status s = check_text("actions[" + std::to_string(i) + "].reasoning", a.reasoning, 100000);
        !s) {
      return s;
    }
    if (Status s =
            check_json_text("actions[" + std::to_string(i) + "].tiles_seen", a.tiles_seen_json);
        !s) {
      return s;
    }
  }
  return {};
}

Status check_experiment_filter(const ExperimentFilter& filter) {
  if (Status s = check_limit("limit", filter.limit, 1000); !s) return s;
  if (Status s = check_text("model", filter.model, 200); !s) return s;
  if (Status s = check_text("outcome", filter.outcome, 64); !s) return s;
  if (Status s = check_text("comment", filter.comment_contains, 1000); !s) return s;
  std::set<std::string_view> keys;
  for (const ConfigMatch& match : filter.config) {
    const std::string field = "model_config." + match.key;
    if (Status s = check_config_key("model_config key", match.key); !s) return s;
    if (!keys.insert(match.key).second) return invalid_field(field, "is given twice");
    if (has_nul(match.value_json) || !nlohmann::json::accept(match.value_json)) {
      return invalid_field(field, "must be a JSON string, number or boolean");
    }
    const nlohmann::json value = nlohmann::json::parse(match.value_json);
    if (!value.is_string() && !value.is_number() && !value.is_boolean()) {
      return invalid_field(field, "must be a JSON string, number or boolean");
    }
  }
  return {};
}

Status check_experiment_compare(const ExperimentCompare& compare) {
  ExperimentFilter filter = compare.filter;
  filter.limit = 1;  // not used by compare
  if (Status s = check_experiment_filter(filter); !s) return s;
  if (compare.config_keys.size() > kMaxCompareKeys) {
    return invalid_field("group_by", "at most " + std::to_string(kMaxCompareKeys) + " config keys");
  }
  for (const std::string& key : compare.config_keys) {
    if (Status s = check_config_key("group_by", key); !s) return s;
  }
  return {};
}

Error experiment_not_found(std::int64_t id) {
  return make_error(ErrorCode::kNotFound, "experiment " + std::to_string(id) + " does not exist");
}

std::string config_json_path(std::string_view key) { return "$.\"" + std::string(key) + "\""; }

std::string config_containment_json(std::span<const ConfigMatch> matches) {
  nlohmann::json object = nlohmann::json::object();
  for (const ConfigMatch& match : matches) {
    object[match.key] = nlohmann::json::parse(match.value_json);
  }
  return object.dump();
}

}  // namespace osprey::store
