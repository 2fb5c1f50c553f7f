#include "maze/experiment_config.h"

#include <cmath>
#include <limits>
#include <set>

#include "maze/prompt_template.h"

namespace osprey::maze {
namespace {

constexpr std::int64_t kMaxCount = 1'000'000;

class Fields {
 public:
  explicit Fields(const nlohmann::json& node) : node_(node) {}

  const nlohmann::json* find(const std::string& key) {
    seen_.insert(key);
    auto it = node_.find(key);
    if (it == node_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  Error fail(const std::string& key, const std::string& what) const {
    return make_error(ErrorCode::kInvalidRequest, "model_config." + key + ": " + what);
  }
  std::optional<Error> integer(const std::string& key, std::int64_t lo, std::int64_t hi,
                               auto& out) {
    const nlohmann::json* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer() || v->get<std::int64_t>() < lo || v->get<std::int64_t>() > hi) {
      return fail(
          key, "must be an integer between " + std::to_string(lo) + " and " + std::to_string(hi));
    }
    out = static_cast<std::remove_reference_t<decltype(out)>>(v->get<std::int64_t>());
    return std::nullopt;
  }
  std::optional<Error> number(const std::string& key, double lo, double hi,
                              std::optional<double>& out) {
    const nlohmann::json* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number() || !(v->get<double>() >= lo && v->get<double>() <= hi)) {
      return fail(key, "must be a number between " + nlohmann::json(lo).dump() + " and " +
                           nlohmann::json(hi).dump());
    }
    out = v->get<double>();
    return std::nullopt;
  }
  std::optional<Error> unknown() const {
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      if (seen_.count(it.key()) == 0) {
        return fail(it.key(),
                    "unknown key (vendor options go under model_config.provider_options)");
      }
    }
    return std::nullopt;
  }

 private:
  const nlohmann::json& node_;
  std::set<std::string> seen_;
};

}  // namespace

Result<ExperimentConfig> parse_experiment_config(const nlohmann::json& node) {
  if (!node.is_object()) {
    return make_error(ErrorCode::kInvalidRequest, "model_config: must be a JSON object");
  }
  Fields f(node);
  ExperimentConfig c;
  const nlohmann::json* model = f.find("model");
  if (model == nullptr || !model->is_string() || model->get<std::string>().empty()) {
    return f.fail("model", "is required (a model name the router serves, e.g. local/explorer)");
  }
  c.model = model->get<std::string>();
  std::int64_t seed = 0;
  if (auto error = f.integer("seed", 0, std::numeric_limits<std::int64_t>::max(), seed))
    return *error;
  c.seed = static_cast<std::uint64_t>(seed);
  if (auto error = f.number("temperature", 0, 2, c.inference.temperature)) return *error;
  if (auto error = f.number("top_p", 0, 1, c.inference.top_p)) return *error;
  std::int64_t max_tokens = 0;
  if (auto error = f.integer("max_tokens", 1, kMaxCount, max_tokens)) return *error;
  if (max_tokens > 0) c.inference.max_tokens = max_tokens;
  if (const nlohmann::json* options = f.find("provider_options")) {
    if (!options->is_object()) return f.fail("provider_options", "must be a JSON object");
    c.provider_options = *options;
  }
  for (const char* key : {"num_ctx", "num_predict", "top_k"}) {
    std::int64_t value = 0;
    if (auto error = f.integer(key, key == std::string("num_predict") ? -2 : 1, 10'000'000, value))
      return *error;
    if (node.contains(key) && !node.at(key).is_null()) c.provider_options[key] = value;
  }
  if (auto error = f.integer("vision_range", 0, 100, c.vision_range)) return *error;
  if (const nlohmann::json* v = f.find("see_through_walls")) {
    if (!v->is_boolean()) return f.fail("see_through_walls", "must be true or false");
    c.see_through_walls = v->get<bool>();
  }
  if (const nlohmann::json* v = f.find("goal_rule")) {
    if (*v == "seen") {
      c.goal_rule = GoalRule::kSeen;
    } else if (*v == "reach") {
      c.goal_rule = GoalRule::kReach;
    } else {
      return f.fail("goal_rule", "must be \"seen\" or \"reach\"");
    }
  }
  if (auto error = f.integer("recall_interval", 0, kMaxCount, c.recall_interval)) return *error;
  if (auto error = f.integer("max_moves", 1, kMaxCount, c.limits.max_moves)) return *error;
  std::optional<double> seconds;
  if (auto error = f.number("max_duration", 0.001, 7 * 24 * 3600.0, seconds)) return *error;
  if (seconds) {
    c.limits.max_duration = std::chrono::milliseconds(std::llround(*seconds * 1000));
  }
  if (auto error = f.integer("max_actions_per_turn", 1, 1000, c.limits.max_actions_per_turn))
    return *error;
  if (auto error = f.integer("max_turns", 1, kMaxCount, c.limits.max_turns)) return *error;
  if (const nlohmann::json* v = f.find("prompt_version")) {
    if (!v->is_string()) return f.fail("prompt_version", "must be a string");
    if (Status st = check_prompt_version(v->get<std::string>()); !st.ok()) {
      return f.fail("prompt_version", st.error().message);
    }
    c.prompt_version = v->get<std::string>();
  }
  if (auto error = f.integer("history_window", 0, 1000, c.history_window)) return *error;
  if (auto error = f.unknown()) return *error;
  return c;
}

nlohmann::json experiment_config_json(const ExperimentConfig& c) {
  nlohmann::json out = {
      {"model", c.model},
      {"seed", c.seed},
      {"vision_range", c.vision_range},
      {"goal_rule", goal_rule_name(c.goal_rule)},
      {"recall_interval", c.recall_interval},
      {"max_moves", c.limits.max_moves},
      {"max_duration", static_cast<double>(c.limits.max_duration.count()) / 1000.0},
      {"max_actions_per_turn", c.limits.max_actions_per_turn},
      {"max_turns", c.limits.max_turns},
      {"prompt_version", c.prompt_version},
      {"history_window", c.history_window},
  };
  if (c.see_through_walls) out["see_through_walls"] = *c.see_through_walls;
  if (c.inference.temperature) out["temperature"] = *c.inference.temperature;
  if (c.inference.top_p) out["top_p"] = *c.inference.top_p;
  if (c.inference.max_tokens) out["max_tokens"] = *c.inference.max_tokens;
  if (!c.provider_options.empty()) out["provider_options"] = c.provider_options;
  return out;
}

VisionRules vision_rules(const ExperimentConfig& config, const Maze& maze) {
  return {config.vision_range, config.see_through_walls.value_or(maze.see_through_walls())};
}

std::string_view goal_rule_name(GoalRule rule) {
  return rule == GoalRule::kReach ? "reach" : "seen";
}

}  // namespace osprey::maze
