#pragma once
// Environment: the world of one run — where the agent is, the path it took, every tile it has
// seen — and the tools that act on it (tools.json's move_north|south|east|west and
// recall_movement_history, plus recall_all). Deterministic; not thread-safe (one run, one thread).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "maze/experiment_config.h"
#include "maze/maze.h"
#include "maze/vision.h"
#include "providers/chat_types.h"

namespace osprey::maze {

// What one tool call did. `result` is the JSON the agent gets back: for a move
// {success, position{x,y}, visible[...], foundGoal, message}; for a recall the history; for a
// refused or invalid call {error, message}.
struct ToolOutcome {
  std::string action_type;  // the tool name, or kInvalidToolCall
  bool success = false;
  bool invalid = false;  // unknown tool or unusable arguments
  bool refused = false;  // a valid call the rules refused (a recall before recall_interval)
  bool wall_collision = false;
  Position from;
  Position to;
  std::vector<Tile> tiles_seen;
  std::string reasoning;  // the "reasoning" argument when given
  nlohmann::json result = nlohmann::json::object();
};

struct EnvironmentRules {
  VisionRules vision;
  GoalRule goal_rule = GoalRule::kSeen;
  int recall_interval = 10;
};

class Environment {
 public:
  // REQUIRES: maze outlives the Environment. The start cell's view counts as seen (and may
  // already find the goal).
  Environment(const Maze& maze, Position start, EnvironmentRules rules);

  // Runs one tool call: a known tool with usable arguments acts; anything else is an invalid
  // call that leaves the world as it was.
  ToolOutcome execute(std::string_view tool, const nlohmann::json& arguments);

  Position position() const { return position_; }
  int successful_moves() const { return successful_moves_; }
  bool goal_found() const { return goal_found_; }
  std::optional<Direction> last_move() const { return last_move_; }
  const Maze& maze() const { return maze_; }
  const EnvironmentRules& rules() const { return rules_; }

  // The map as the agent knows it, one string per row: '#' wall, '.' empty, 'G' goal, '?' unseen.
  std::vector<std::string> known_map() const;

 private:
  struct Step {  // one executed move or recall, for recall_movement_history
    std::string action;
    Position from;
    Position to;
    bool success = false;
    std::vector<Tile> seen;
  };

  ToolOutcome move(Direction d, std::string reasoning);
  ToolOutcome recall_history(int depth, std::string reasoning);
  ToolOutcome recall_all(std::string reasoning);
  std::optional<ToolOutcome> recall_refusal(std::string_view tool, const std::string& reasoning);
  void see(const std::vector<Tile>& tiles);

  const Maze& maze_;
  const EnvironmentRules rules_;
  Position position_;
  int successful_moves_ = 0;
  std::optional<int> last_recall_moves_;
  bool goal_found_ = false;
  std::optional<Direction> last_move_;
  std::vector<char> known_;     // row-major, '?' until seen
  std::vector<Position> path_;  // every position occupied, start first
  std::vector<Step> steps_;
};

// The tool definitions sent to the model: tools.json's four moves and recall_movement_history
// (without the original's experimentId, which the loop knows), plus recall_all.
const std::vector<providers::ToolSpec>& maze_tools();

}  // namespace osprey::maze
