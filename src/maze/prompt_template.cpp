#include "maze/prompt_template.h"

#include <algorithm>

#include "maze/observation.h"

namespace osprey::maze {
namespace {

std::string vision_sentence(const ExperimentConfig& config, const Environment& env) {
  const VisionRules& v = env.rules().vision;
  if (v.see_through_walls) {
    return "You see every tile within " + std::to_string(v.range) +
           " tiles of you in each direction (walls do not block your sight).";
  }
  (void)config;
  return "You see your own tile and up to " + std::to_string(v.range) +
         " tiles in straight lines north, south, east and west; a wall blocks the line beyond it.";
}

std::string goal_sentence(const Environment& env) {
  return env.rules().goal_rule == GoalRule::kReach
             ? "Find the goal tile (G) and stand on it."
             : "Find the goal tile (G): it counts as found as soon as it is in your sight.";
}

std::string seen_summary(const std::vector<Tile>& tiles) {
  std::string out;
  for (Cell kind : {Cell::kGoal, Cell::kEmpty, Cell::kWall}) {
    std::string list;
    for (const Tile& t : tiles) {
      if (t.cell != kind) continue;
      list += ' ';
      list += position_text(t.pos);
    }
    if (list.empty()) continue;
    out += out.empty() ? " " : "; ";
    out += cell_name(kind);
    out += list;
  }
  return out.empty() ? std::string(" nothing") : out;
}

std::string history_lines(std::span<const ActionRecord> recent) {
  if (recent.empty()) return "(none yet)\n";
  std::string out;
  for (const ActionRecord& a : recent) {
    out += "- step ";
    out += std::to_string(a.step_number);
    out += ' ';
    out += a.action_type;
    if (a.action_type.starts_with("move_")) {
      out += " from ";
      out += position_text(a.from);
      if (a.success) {
        out += " to ";
        out += position_text(a.to);
      } else {
        out += " failed, stayed";
      }
      out += "; saw:";
      out += seen_summary(a.tiles_seen);
    } else if (!a.success) {
      out += " (not done)";
    }
    out += '\n';
  }
  return out;
}

std::string system_text(const ExperimentConfig& config, const Environment& env) {
  const std::string tools =
      "move_north, move_south, move_east, move_west, recall_movement_history(depth), recall_all";
  if (config.prompt_version == "v1") {
    return "You are an AI agent navigating a maze to find the goal. Use the tools (" + tools +
           ") to move and to recall your history. Moving into a wall or off the maze fails and "
           "leaves you in place. North decreases Y, south increases Y, east increases X, west "
           "decreases X. " +
           vision_sentence(config, env) + " " + goal_sentence(env) +
           " You may recall your history once every " + std::to_string(config.recall_interval) +
           " successful moves.";
  }
  return "You are an agent exploring a 2-D grid maze. Coordinates: x is the column and grows "
         "east, y is the row and grows south; north is y-1, south y+1, east x+1, west x-1.\n" +
         vision_sentence(config, env) + "\n" + goal_sentence(env) +
         "\nAct only by calling tools: " + tools + ". Each turn up to " +
         std::to_string(config.limits.max_actions_per_turn) +
         " tool calls run, in order. A move into a wall or off the maze fails and leaves you "
         "where you are. Recalls are allowed once every " +
         std::to_string(config.recall_interval) +
         " successful moves.\nEvery message ends with an <observation> block: JSON with your "
         "position and a map of every tile you have seen, one string per row (row index = y, "
         "character index = x): '#' wall, '.' empty, 'G' goal, '?' not seen yet.\nStrategy: "
         "head for '?' tiles next to known empty tiles; do not walk into known walls.";
}

}  // namespace

const std::vector<std::string>& prompt_versions() {
  static const std::vector<std::string> versions = {"v1", "v2"};
  return versions;
}

Status check_prompt_version(std::string_view version) {
  const auto& versions = prompt_versions();
  if (std::find(versions.begin(), versions.end(), version) != versions.end()) return {};
  return make_error(ErrorCode::kInvalidRequest,
                    "unknown prompt version '" + std::string(version) + "' (known: v1, v2)");
}

providers::ChatRequest build_turn_request(const ExperimentConfig& config, const Environment& env,
                                          const TurnContext& turn) {
  providers::ChatRequest request;
  request.model = config.model;
  request.system.push_back(system_text(config, env));
  request.tools = maze_tools();
  request.inference = config.inference;
  request.inference.seed = static_cast<std::int64_t>(
      (config.seed + static_cast<std::uint64_t>(turn.turn)) & 0x7fffffffffffffffULL);
  request.provider_options = config.provider_options;

  const Position p = env.position();
  std::string text = "Turn " + std::to_string(turn.turn) + " of at most " +
                     std::to_string(config.limits.max_turns) +
                     ". You are at (x=" + std::to_string(p.x) + ", y=" + std::to_string(p.y) +
                     "). Successful moves: " + std::to_string(env.successful_moves()) +
                     " of at most " + std::to_string(config.limits.max_moves) + ".\n" +
                     goal_sentence(env) + "\n";
  if (!turn.previous_results.empty()) {
    text += "Results of your previous tool calls:\n";
    for (const auto& r : turn.previous_results) text += "- " + r.dump() + "\n";
  }
  text += "Recent actions (oldest first):\n" + history_lines(turn.recent);
  text += config.prompt_version == "v1" ? "What is your next move?\n"
                                        : "Call the tool(s) for your next action(s).\n";
  Observation o;
  o.position = p;
  o.width = env.maze().width();
  o.height = env.maze().height();
  o.turn = turn.turn;
  o.moves = env.successful_moves();
  o.max_actions_per_turn = config.limits.max_actions_per_turn;
  o.last_move = env.last_move();
  o.goal_rule = std::string(goal_rule_name(env.rules().goal_rule));
  o.map = env.known_map();
  text += render_observation(o);
  request.messages.push_back({providers::Role::kUser, {providers::TextBlock{std::move(text)}}});
  return request;
}

}  // namespace osprey::maze
