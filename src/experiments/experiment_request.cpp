#include "experiments/experiment_request.h"

#include "maze/experiment_config.h"
#include "maze/maze_generator.h"
#include "maze/start_position.h"

namespace osprey::experiments {
namespace {

using nlohmann::json;

Error invalid(const std::string& field, const std::string& message) {
  Error e = make_error(ErrorCode::kInvalidRequest, field + ": " + message);
  e.param = field;
  return e;
}

struct ResolvedMaze {
  std::string ref;
  maze::Maze maze;
};

Result<ResolvedMaze> resolve_maze(const json& node, const std::string& field,
                                  const MazeLibrary& library) {
  if (node.is_string() || (node.is_object() && node.size() == 1 && node.contains("id"))) {
    const json& id = node.is_string() ? node : node["id"];
    if (!id.is_string()) return invalid(field + ".id", "must be a string");
    auto loaded = library.load(id.get<std::string>());
    if (!loaded) return loaded.error();
    return ResolvedMaze{id.get<std::string>(), std::move(loaded.value())};
  }
  if (!node.is_object()) {
    return invalid(field, "must be a maze id, a maze object or {\"generator\": {...}}");
  }
  if (node.contains("generator")) {
    auto spec = maze::parse_generator_spec(node["generator"]);
    if (!spec) return invalid(field, spec.error().message);
    auto generated = maze::generate_maze(spec.value());
    if (!generated) return invalid(field, generated.error().message);
    return ResolvedMaze{"generated:" + generated->name(), std::move(generated.value())};
  }
  const json& inline_maze = node.contains("file") ? node["file"] : node;
  auto parsed = maze::Maze::from_json(inline_maze);
  if (!parsed) return invalid(field, parsed.error().message);
  return ResolvedMaze{"inline:" + parsed->name(), std::move(parsed.value())};
}

Result<std::string> optional_string(const json& body, const char* key, std::size_t max) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string() || it->get<std::string>().size() > max) {
    return invalid(key, "must be a string of at most " + std::to_string(max) + " bytes");
  }
  return it->get<std::string>();
}

// An optional integer field in [min, max]; std::nullopt when absent or null.
Result<std::optional<int>> optional_int(const json& body, const char* key, int min, int max) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<int>();
  if (!it->is_number_integer() || it->get<std::int64_t>() < min || it->get<std::int64_t>() > max) {
    return invalid(
        key, "must be an integer between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return std::optional<int>(it->get<int>());
}

}  // namespace

Result<ExperimentBatch> parse_experiment_request(const json& body, const MazeLibrary& library,
                                                 std::size_t max_experiments,
                                                 std::uint64_t default_seed) {
  if (!body.is_object()) return invalid("body", "must be a JSON object");
  static const char* kKnown[] = {"maze",        "mazes",        "model_config", "model_configs",
                                 "repetitions", "start",        "agent",        "comment",
                                 "priority",    "max_attempts", "turn_delay_ms"};
  for (const auto& [key, value] : body.items()) {
    if (std::none_of(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return key == k; })) {
      return invalid(key, "unknown field");
    }
  }
  const bool sweep = body.contains("mazes") || body.contains("model_configs");
  if (sweep && (body.contains("maze") || body.contains("model_config"))) {
    return invalid("mazes", "give either maze + model_config or mazes + model_configs");
  }
  json mazes = sweep ? body.value("mazes", json()) : json::array({body.value("maze", json())});
  json configs = sweep ? body.value("model_configs", json())
                       : json::array({body.value("model_config", json())});
  const std::string mazes_key = sweep ? "mazes" : "maze";
  const std::string configs_key = sweep ? "model_configs" : "model_config";
  if (!mazes.is_array() || mazes.empty() || mazes[0].is_null()) {
    return invalid(mazes_key, sweep ? "must be a non-empty list" : "is required");
  }
  if (!configs.is_array() || configs.empty() || configs[0].is_null()) {
    return invalid(configs_key, sweep ? "must be a non-empty list" : "is required");
  }
  if (!sweep && body.contains("repetitions") && !body["repetitions"].is_null()) {
    return invalid("repetitions", "belongs to the sweep form (mazes, model_configs)");
  }
  auto repeat = optional_int(body, "repetitions", 1, 10000);
  if (!repeat) return repeat.error();
  const int repetitions = repeat->value_or(1);
  const std::size_t total = mazes.size() * configs.size() * static_cast<std::size_t>(repetitions);
  if (total > max_experiments) {
    return invalid(mazes_key, "the request would create " + std::to_string(total) +
                                  " experiments; at most " + std::to_string(max_experiments) +
                                  " (experiments.max_per_request)");
  }

  ExperimentBatch batch;
  auto comment = optional_string(body, "comment", 4000);
  if (!comment) return comment.error();
  auto agent = optional_string(body, "agent", 200);
  if (!agent) return agent.error();
  auto priority = optional_string(body, "priority", 16);
  if (!priority) return priority.error();
  batch.priority = priority.value();
  auto max_attempts = optional_int(body, "max_attempts", 1, 100);
  if (!max_attempts) return max_attempts.error();
  batch.max_attempts = max_attempts.value();
  auto turn_delay = optional_int(body, "turn_delay_ms", 0, 10000);
  if (!turn_delay) return turn_delay.error();
  batch.turn_delay_ms = turn_delay->value_or(0);
  std::optional<maze::Position> requested_start;
  if (auto it = body.find("start"); it != body.end() && !it->is_null()) {
    requested_start = maze::parse_position(*it);
    if (!requested_start) return invalid("start", "must be {\"x\": int, \"y\": int}");
  }

  std::vector<ResolvedMaze> resolved;
  for (std::size_t i = 0; i < mazes.size(); ++i) {
    const std::string field = sweep ? "mazes[" + std::to_string(i) + "]" : "maze";
    auto m = resolve_maze(mazes[i], field, library);
    if (!m) return m.error();
    resolved.push_back(std::move(m.value()));
  }
  for (std::size_t c = 0; c < configs.size(); ++c) {
    const std::string field = sweep ? "model_configs[" + std::to_string(c) + "]" : "model_config";
    if (!configs[c].is_object()) return invalid(field, "must be an object");
    const bool has_seed = configs[c].contains("seed");
    auto parsed = maze::parse_experiment_config(configs[c]);
    if (!parsed) return invalid(field, parsed.error().message);
    for (int r = 0; r < repetitions; ++r) {
      maze::ExperimentConfig config = parsed.value();
      config.seed = (has_seed ? config.seed : default_seed) + static_cast<std::uint64_t>(r);
      for (std::size_t m = 0; m < resolved.size(); ++m) {
        const maze::Maze& maze = resolved[m].maze;
        auto start = maze::resolve_start(maze, requested_start, maze::vision_rules(config, maze),
                                         config.goal_rule);
        if (!start)
          return invalid("start", start.error().message + " (maze " + resolved[m].ref + ")");
        store::NewExperiment e;
        e.maze_ref = resolved[m].ref;
        e.maze_json = maze.to_json().dump();
        e.start_x = start->x;
        e.start_y = start->y;
        e.agent = agent->empty() ? (config.model.starts_with("local/") ? config.model : "llm")
                                 : agent.value();
        e.model_config_json = maze::experiment_config_json(config).dump();
        e.comment = comment.value();
        e.seed = static_cast<std::int64_t>(config.seed);
        batch.experiments.push_back(std::move(e));
      }
    }
  }
  return batch;
}

}  // namespace osprey::experiments
