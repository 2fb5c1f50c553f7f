#include "maze/environment.h"

#include <algorithm>
#include <utility>

#include "maze/action_record.h"

namespace osprey::maze {
namespace {

std::size_t cell_index(const Maze& maze, Position p) {
  return static_cast<std::size_t>(p.y) * static_cast<std::size_t>(maze.width()) +
         static_cast<std::size_t>(p.x);
}

char map_char(Cell c) {
  switch (c) {
    case Cell::kWall:
      return '#';
    case Cell::kGoal:
      return 'G';
    case Cell::kEmpty:
      return '.';
  }
  return '.';
}

std::string reasoning_of(const nlohmann::json& arguments) {
  if (!arguments.is_object()) return {};
  auto it = arguments.find("reasoning");
  if (it == arguments.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// LLMs send integers as numbers, numeric strings or whole floats; all mean the same depth.
std::optional<std::int64_t> integer_argument(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (d == static_cast<double>(static_cast<std::int64_t>(d))) return static_cast<std::int64_t>(d);
    return std::nullopt;
  }
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), ::isdigit)) {
      return std::nullopt;
    }
    return std::stoll(s);
  }
  return std::nullopt;
}

ToolOutcome invalid_call(std::string_view tool, const nlohmann::json& arguments, Position at,
                         std::string message) {
  ToolOutcome out;
  out.action_type = std::string(kInvalidToolCall);
  out.invalid = true;
  out.from = out.to = at;
  out.reasoning = reasoning_of(arguments);
  out.result = {
      {"success", false}, {"error", "invalid_tool_call"}, {"message", std::move(message)}};
  out.result["tool"] = std::string(tool);
  return out;
}

nlohmann::json tool_schema(bool with_depth) {
  nlohmann::json properties = {
      {"reasoning", {{"type", "string"}, {"description", "Why you are making this move"}}}};
  nlohmann::json schema = {{"type", "object"}, {"properties", properties}};
  if (with_depth) {
    schema["properties"]["reasoning"]["description"] =
        "Why you need this history (helps clarify your strategy)";
    schema["properties"]["depth"] = {
        {"type", "integer"},
        {"minimum", 1},
        {"description",
         "How many recent actions to recall (any positive integer). Common choices: 25 (recent), "
         "50 (balanced), 100 (deep), 200 (comprehensive)"}};
    schema["required"] = nlohmann::json::array({"depth"});
  }
  return schema;
}

}  // namespace

const std::vector<providers::ToolSpec>& maze_tools() {
  static const std::vector<providers::ToolSpec> tools = [] {
    std::vector<providers::ToolSpec> out;
    const std::pair<const char*, const char*> moves[] = {
        {"move_north", "Move one tile north (decreasing Y coordinate)"},
        {"move_south", "Move one tile south (increasing Y coordinate)"},
        {"move_east", "Move one tile east (increasing X coordinate)"},
        {"move_west", "Move one tile west (decreasing X coordinate)"},
    };
    for (const auto& [name, description] : moves)
      out.push_back({name, description, tool_schema(false)});
    out.push_back(
        {"recall_movement_history",
         "Retrieve your exploration history including movement path and vision data. Returns "
         "chronological list of your actions with success/failure status and tiles seen at each "
         "position. Use this to build a mental map and avoid repeating failed moves. Depth "
         "options: 25 (recent), 50 (balanced), 100 (deep), 200 (complete).",
         tool_schema(true)});
    nlohmann::json all_schema = tool_schema(false);
    all_schema["properties"]["reasoning"]["description"] = "Why you need the full map";
    out.push_back({"recall_all",
                   "Retrieve your whole path and every tile you have discovered so far, grouped "
                   "into empty, wall and goal tiles.",
                   all_schema});
    return out;
  }();
  return tools;
}

Environment::Environment(const Maze& maze, Position start, EnvironmentRules rules)
    : maze_(maze),
      rules_(rules),
      position_(start),
      known_(static_cast<std::size_t>(maze.width()) * static_cast<std::size_t>(maze.height()), '?'),
      path_{start} {
  see(visible_tiles(maze_, position_, rules_.vision));
}

void Environment::see(const std::vector<Tile>& tiles) {
  for (const Tile& t : tiles) {
    known_[cell_index(maze_, t.pos)] = map_char(t.cell);
    if (t.cell == Cell::kGoal && rules_.goal_rule == GoalRule::kSeen) goal_found_ = true;
  }
  if (rules_.goal_rule == GoalRule::kReach && maze_.at(position_) == Cell::kGoal) {
    goal_found_ = true;
  }
}

std::vector<std::string> Environment::known_map() const {
  std::vector<std::string> rows;
  rows.reserve(static_cast<std::size_t>(maze_.height()));
  const auto w = static_cast<std::size_t>(maze_.width());
  for (std::size_t y = 0; y < static_cast<std::size_t>(maze_.height()); ++y) {
    rows.emplace_back(known_.begin() + static_cast<std::ptrdiff_t>(y * w),
                      known_.begin() + static_cast<std::ptrdiff_t>((y + 1) * w));
  }
  return rows;
}

ToolOutcome Environment::execute(std::string_view tool, const nlohmann::json& arguments) {
  if (!arguments.is_object()) {
    return invalid_call(tool, arguments, position_, "arguments must be a JSON object");
  }
  if (tool.starts_with("move_")) {
    if (auto d = parse_direction(tool.substr(5))) return move(*d, reasoning_of(arguments));
  }
  if (tool == "recall_movement_history") {
    auto depth = arguments.find("depth");
    if (depth == arguments.end()) {
      return invalid_call(tool, arguments, position_, "depth is required (a positive integer)");
    }
    std::optional<std::int64_t> value = integer_argument(*depth);
    if (!value || *value < 1) {
      return invalid_call(tool, arguments, position_, "depth must be a positive integer");
    }
    const int clamped = static_cast<int>(std::min<std::int64_t>(*value, 1'000'000));
    return recall_history(clamped, reasoning_of(arguments));
  }
  if (tool == "recall_all") return recall_all(reasoning_of(arguments));
  return invalid_call(tool, arguments, position_,
                      "unknown tool '" + std::string(tool) +
                          "' (tools: move_north, move_south, move_east, move_west, "
                          "recall_movement_history, recall_all)");
}

ToolOutcome Environment::move(Direction d, std::string reasoning) {
  ToolOutcome out;
  out.action_type = "move_" + std::string(direction_name(d));
  out.reasoning = std::move(reasoning);
  out.from = position_;
  const Position target = step(position_, d);
  std::string message;
  if (!maze_.in_bounds(target)) {
    message = "Cannot move " + std::string(direction_name(d)) + ": the edge of the maze";
  } else if (!maze_.is_open(target)) {
    message = "Cannot move " + std::string(direction_name(d)) + ": a wall blocks the way";
  } else {
    position_ = target;
    ++successful_moves_;
    last_move_ = d;
    path_.push_back(position_);
    out.success = true;
    message = "Moved " + std::string(direction_name(d));
  }
  out.wall_collision = !out.success;
  out.to = position_;
  out.tiles_seen = visible_tiles(maze_, position_, rules_.vision);
  const bool was_found = goal_found_;
  see(out.tiles_seen);
  if (goal_found_ && !was_found) message += "; the goal is found";
  out.result = {{"success", out.success},
                {"position", position_json(position_)},
                {"visible", tiles_json(out.tiles_seen)},
                {"foundGoal", goal_found_},
                {"message", message}};
  steps_.push_back({out.action_type, out.from, out.to, out.success, out.tiles_seen});
  return out;
}

std::optional<ToolOutcome> Environment::recall_refusal(std::string_view tool,
                                                       const std::string& reasoning) {
  if (!last_recall_moves_ || successful_moves_ - *last_recall_moves_ >= rules_.recall_interval) {
    return std::nullopt;
  }
  const int wait = rules_.recall_interval - (successful_moves_ - *last_recall_moves_);
  ToolOutcome out;
  out.action_type = std::string(tool);
  out.refused = true;
  out.reasoning = reasoning;
  out.from = out.to = position_;
  out.result = {
      {"success", false},
      {"error", "recall_too_early"},
      {"message", "Recall is allowed once every " + std::to_string(rules_.recall_interval) +
                      " successful moves; move " + std::to_string(wait) + " more time(s) first"}};
  return out;
}

ToolOutcome Environment::recall_history(int depth, std::string reasoning) {
  if (auto refused = recall_refusal("recall_movement_history", reasoning)) return *refused;
  last_recall_moves_ = successful_moves_;
  nlohmann::json history = nlohmann::json::array();
  const std::size_t first = steps_.size() > static_cast<std::size_t>(depth)
                                ? steps_.size() - static_cast<std::size_t>(depth)
                                : 0;
  for (std::size_t i = first; i < steps_.size(); ++i) {
    const Step& s = steps_[i];
    history.push_back({{"action", s.action},
                       {"from", position_json(s.from)},
                       {"to", position_json(s.to)},
                       {"success", s.success},
                       {"visible", tiles_json(s.seen)}});
  }
  ToolOutcome out;
  out.action_type = "recall_movement_history";
  out.success = true;
  out.reasoning = std::move(reasoning);
  out.from = out.to = position_;
  out.result = {{"success", true},
                {"position", position_json(position_)},
                {"depth", depth},
                {"count", history.size()},
                {"history", std::move(history)}};
  steps_.push_back({out.action_type, position_, position_, true, {}});
  return out;
}

ToolOutcome Environment::recall_all(std::string reasoning) {
  if (auto refused = recall_refusal("recall_all", reasoning)) return *refused;
  last_recall_moves_ = successful_moves_;
  nlohmann::json path = nlohmann::json::array();
  for (const Position& p : path_) path.push_back(position_json(p));
  nlohmann::json empty = nlohmann::json::array();
  nlohmann::json walls = nlohmann::json::array();
  nlohmann::json goals = nlohmann::json::array();
  for (int y = 0; y < maze_.height(); ++y) {
    for (int x = 0; x < maze_.width(); ++x) {
      const char c = known_[cell_index(maze_, {x, y})];
      if (c == '.') empty.push_back(position_json({x, y}));
      if (c == '#') walls.push_back(position_json({x, y}));
      if (c == 'G') goals.push_back(position_json({x, y}));
    }
  }
  ToolOutcome out;
  out.action_type = "recall_all";
  out.success = true;
  out.reasoning = std::move(reasoning);
  out.from = out.to = position_;
  out.result = {
      {"success", true},
      {"position", position_json(position_)},
      {"path", std::move(path)},
      {"tiles",
       {{"empty", std::move(empty)}, {"wall", std::move(walls)}, {"goal", std::move(goals)}}}};
  steps_.push_back({out.action_type, position_, position_, true, {}});
  return out;
}

}  // namespace osprey::maze
