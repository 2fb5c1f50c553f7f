#include "maze/agent_loop.h"

#include <deque>

#include <gtest/gtest.h>

#include "maze/observation.h"
#include "maze_fixture.h"

namespace osprey::maze {
namespace {

using json = nlohmann::json;
using testing::drawn;

// A long open corridor: the goal is out of sight until the agent is close.
Maze long_corridor() {
  return drawn({"##############################", "#...........................G#",
                "##############################"});
}

ExperimentConfig config_for(int max_moves = 100) {
  ExperimentConfig c;
  c.model = "scripted";
  c.vision_range = 2;
  c.recall_interval = 0;
  c.limits.max_moves = max_moves;
  c.limits.max_turns = 1000;
  c.limits.max_actions_per_turn = 5;
  return c;
}

providers::ToolUseBlock call(std::string name, json args = json::object()) {
  static int id = 0;
  return {"call_" + std::to_string(++id), std::move(name), std::move(args)};
}

// Answers each turn with the given tool calls (an empty list = a text answer without a tool
// call); repeats the last answer when the script runs out. Records every request it saw.
struct ScriptedModel {
  std::deque<std::vector<providers::ContentBlock>> script;
  std::vector<providers::ChatRequest> requests;
  ManualClock* clock = nullptr;
  std::chrono::milliseconds per_call{0};
  providers::Usage usage{10, 2};

  ModelFn fn() {
    return [this](const providers::ChatRequest& request) -> Result<ModelReply> {
      requests.push_back(request);
      if (clock != nullptr) clock->advance(per_call);
      ModelReply reply;
      reply.response.content = script.front();
      if (script.size() > 1) script.pop_front();
      reply.response.usage = usage;
      reply.cost_usd = 0.5;
      reply.latency_ms = 7;
      return reply;
    };
  }
};

std::vector<providers::ContentBlock> moves(std::initializer_list<const char*> names) {
  std::vector<providers::ContentBlock> out;
  for (const char* n : names) out.push_back(call(n, {{"reasoning", std::string("go ") + n}}));
  return out;
}

TEST(AgentLoopTest, RunsUntilTheGoalIsSeenAndRecordsEveryAction) {
  const Maze maze = long_corridor();
  ScriptedModel model;
  model.script = {moves({"move_east"})};
  VectorActionSink sink;
  auto outcome = run_experiment(config_for(), maze, {1, 1}, model.fn(), sink);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  // The goal at x=28 is seen (range 2) from x=26: 25 moves.
  EXPECT_EQ(outcome->metrics.end_reason, "goal_found");
  EXPECT_TRUE(outcome->metrics.success);
  EXPECT_EQ(outcome->metrics.successful_moves, 25);
  EXPECT_EQ(outcome->metrics.optimal_moves, 25);
  EXPECT_EQ(outcome->metrics.moves_vs_optimal, 1.0);
  EXPECT_EQ(outcome->final_position, (Position{26, 1}));
  ASSERT_EQ(sink.actions().size(), 25u);
  const ActionRecord& a = sink.actions()[3];
  EXPECT_EQ(a.step_number, 4);
  EXPECT_EQ(a.turn_number, 4);
  EXPECT_EQ(a.action_type, "move_east");
  EXPECT_EQ(a.reasoning, "go move_east");
  EXPECT_EQ(a.from, (Position{4, 1}));
  EXPECT_EQ(a.to, (Position{5, 1}));
  EXPECT_TRUE(a.success);
  EXPECT_FALSE(a.found_goal);
  EXPECT_FALSE(a.tiles_seen.empty());
  EXPECT_EQ(a.input_tokens, 10);
  EXPECT_EQ(a.cost_usd, 0.5);
  EXPECT_EQ(a.model_latency_ms, 7);
  EXPECT_TRUE(sink.actions().back().found_goal);
  EXPECT_EQ(outcome->metrics.input_tokens, 250);
  EXPECT_EQ(outcome->metrics.tokens_per_success, 300);
  EXPECT_DOUBLE_EQ(*outcome->metrics.cost_per_success, 12.5);
}

TEST(AgentLoopTest, PromptCarriesPositionGoalHistoryWithSightingsAndTheObservation) {
  const Maze maze = long_corridor();
  ScriptedModel model;
  model.script = {moves({"move_east", "move_north"})};
  VectorActionSink sink;
  ExperimentConfig config = config_for(3);
  ASSERT_TRUE(run_experiment(config, maze, {1, 1}, model.fn(), sink).ok());
  ASSERT_GE(model.requests.size(), 2u);
  const providers::ChatRequest& second = model.requests[1];
  EXPECT_EQ(second.model, "scripted");
  EXPECT_EQ(second.tools.size(), 6u);
  ASSERT_EQ(second.messages.size(), 1u);
  const auto& text = std::get<providers::TextBlock>(second.messages[0].content[0]).text;
  EXPECT_NE(text.find("You are at (x=2, y=1)"), std::string::npos) << text;
  EXPECT_NE(text.find("goal tile (G)"), std::string::npos);
  EXPECT_NE(text.find("step 1 move_east from (1,1) to (2,1); saw: empty"), std::string::npos)
      << text;
  EXPECT_NE(text.find("step 2 move_north from (2,1) failed, stayed; saw:"), std::string::npos);
  EXPECT_NE(text.find("Results of your previous tool calls"), std::string::npos);
  auto observation = find_observation(second);
  ASSERT_TRUE(observation.ok()) << observation.error().message;
  EXPECT_EQ(observation->position, (Position{2, 1}));
  EXPECT_EQ(observation->turn, 2);
  EXPECT_EQ(observation->moves, 1);
  EXPECT_EQ(observation->last_move, Direction::kEast);
  EXPECT_EQ(observation->map[1].substr(0, 6), "#....?");
  EXPECT_EQ(second.inference.seed, 2);  // seed 0 + turn 2
}

TEST(AgentLoopTest, MaxMovesStopsExactlyEvenInsideATurn) {
  const Maze maze = long_corridor();
  ScriptedModel model;
  model.script = {moves({"move_east", "move_north", "move_east", "move_east", "move_east"})};
  VectorActionSink sink;
  auto outcome = run_experiment(config_for(3), maze, {1, 1}, model.fn(), sink);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->metrics.end_reason, "max_moves");
  EXPECT_EQ(outcome->metrics.successful_moves, 3);
  EXPECT_EQ(outcome->metrics.wall_collisions, 1);
  EXPECT_EQ(outcome->metrics.turns, 1);
  EXPECT_EQ(sink.actions().size(), 4u);  // the fifth call of the answer never runs
  EXPECT_EQ(outcome->final_position, (Position{4, 1}));
  EXPECT_FALSE(outcome->metrics.success);
  EXPECT_FALSE(outcome->metrics.moves_vs_optimal.has_value());
}

TEST(AgentLoopTest, MaxTurnsStopsExactly) {
  const Maze maze = long_corridor();
  ScriptedModel model;
  model.script = {moves({"move_north"})};
  VectorActionSink sink;
  ExperimentConfig config = config_for();
  config.limits.max_turns = 7;
  auto outcome = run_experiment(config, maze, {1, 1}, model.fn(), sink);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->metrics.end_reason, "max_turns");
  EXPECT_EQ(model.requests.size(), 7u);
  EXPECT_EQ(outcome->metrics.turns, 7);
  EXPECT_EQ(outcome->metrics.wall_collisions, 7);
}

TEST(AgentLoopTest, MaxDurationStopsAfterTheActionThatCrossesIt) {
  const Maze maze = long_corridor();
  ManualClock clock;
  ScriptedModel model;
  model.clock = &clock;
  model.per_call = std::chrono::milliseconds(300);
  model.script = {moves({"move_east"})};
  VectorActionSink sink;
  ExperimentConfig config = config_for();
  config.limits.max_duration = std::chrono::milliseconds(1000);
  RunControl control;
  control.clock = &clock;
  auto outcome = run_experiment(config, maze, {1, 1}, model.fn(), sink, control);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->metrics.end_reason, "max_duration");
  // Calls end at 300, 600, 900 ms (acted on); the fourth ends at 1200 ms and is not acted on.
  EXPECT_EQ(model.requests.size(), 4u);
  EXPECT_EQ(outcome->metrics.successful_moves, 3);
  EXPECT_EQ(sink.actions().back().elapsed_ms, 900);
  EXPECT_EQ(outcome->metrics.duration_ms, 1200);
}

TEST(AgentLoopTest, MaxActionsPerTurnRefusesTheRestOfTheAnswer) {
  const Maze maze = long_corridor();
  ScriptedModel model;
  model.script = {moves({"move_east", "move_east", "move_east", "move_east"}),
                  moves({"move_west"})};
  VectorActionSink sink;
  ExperimentConfig config = config_for(2);
  config.limits.max_actions_per_turn = 1;
  auto outcome = run_experiment(config, maze, {1, 1}, model.fn(), sink);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->metrics.end_reason, "max_moves");
  ASSERT_EQ(sink.actions().size(), 5u);
  EXPECT_TRUE(sink.actions()[0].success);
  for (int i = 1; i < 4; ++i) {
    EXPECT_FALSE(sink.actions()[i].success);
    EXPECT_EQ(sink.actions()[i].detail["error"], "max_actions_per_turn");
    EXPECT_EQ(sink.actions()[i].turn_number, 1);
  }
  EXPECT_EQ(outcome->metrics.refused_tool_calls, 3);
  EXPECT_EQ(outcome->metrics.wall_collisions, 0);
  EXPECT_EQ(outcome->final_position, (Position{1, 1}));  // east, then west
  // The refusals reach the model in the next prompt.
  const auto& text = std::get<providers::TextBlock>(model.requests[1].messages[0].content[0]).text;
  EXPECT_NE(text.find("max_actions_per_turn"), std::string::npos);
}

TEST(AgentLoopTest, AnswerWithoutToolCallIsRecordedAsNoToolCall) {
  const Maze maze = long_corridor();
  ScriptedModel model;
  model.script = {{providers::TextBlock{"I think I should go east."}}};
  VectorActionSink sink;
  ExperimentConfig config = config_for();
  config.limits.max_turns = 3;
  auto outcome = run_experiment(config, maze, {1, 1}, model.fn(), sink);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->metrics.end_reason, "max_turns");
  ASSERT_EQ(sink.actions().size(), 3u);
  for (const ActionRecord& a : sink.actions()) {
    EXPECT_EQ(a.action_type, kNoToolCall);
    EXPECT_EQ(a.reasoning, "I think I should go east.");
    EXPECT_FALSE(a.success);
  }
  EXPECT_EQ(outcome->metrics.no_tool_calls, 3);
}

TEST(AgentLoopTest, InvalidToolCallsAreRecordedAsSuch) {
  const Maze maze = long_corridor();
  ScriptedModel model;
  model.script = {{call("teleport", {{"x", 27}}), call("recall_movement_history", {{"depth", -1}}),
                   call("move_east")}};
  VectorActionSink sink;
  auto outcome = run_experiment(config_for(1), maze, {1, 1}, model.fn(), sink);
  ASSERT_TRUE(outcome.ok());
  ASSERT_EQ(sink.actions().size(), 3u);
  EXPECT_EQ(sink.actions()[0].action_type, kInvalidToolCall);
  EXPECT_EQ(sink.actions()[0].detail["tool"], "teleport");
  EXPECT_EQ(sink.actions()[1].action_type, kInvalidToolCall);
  EXPECT_EQ(outcome->metrics.invalid_tool_calls, 2);
  EXPECT_EQ(outcome->metrics.successful_moves, 1);
}

TEST(AgentLoopTest, UpstreamErrorEndsTheRunWithThatError) {
  const Maze maze = long_corridor();
  VectorActionSink sink;
  int calls = 0;
  ModelFn failing = [&](const providers::ChatRequest&) -> Result<ModelReply> {
    if (++calls == 3) return make_error(ErrorCode::kUpstreamError, "upstream said 500");
    ModelReply reply;
    reply.response.content = {call("move_east")};
    return reply;
  };
  auto outcome = run_experiment(config_for(), maze, {1, 1}, failing, sink);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.code(), ErrorCode::kUpstreamError);
  EXPECT_EQ(sink.actions().size(), 2u);  // the turns before the failure were handed over
}

TEST(AgentLoopTest, SinkFailureEndsTheRun) {
  struct FailingSink final : ActionSink {
    Status append(std::span<const ActionRecord>) override {
      return make_error(ErrorCode::kStoreError, "disk full");
    }
  } sink;
  ScriptedModel model;
  model.script = {moves({"move_east"})};
  auto outcome = run_experiment(config_for(), long_corridor(), {1, 1}, model.fn(), sink);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.code(), ErrorCode::kStoreError);
  EXPECT_EQ(model.requests.size(), 1u);
}

TEST(AgentLoopTest, StopRequestEndsTheRunAsCancelled) {
  const Maze maze = long_corridor();
  std::stop_source stop;
  VectorActionSink sink;
  int calls = 0;
  ModelFn model = [&](const providers::ChatRequest&) -> Result<ModelReply> {
    if (++calls == 2) stop.request_stop();
    ModelReply reply;
    reply.response.content = {call("move_east")};
    return reply;
  };
  RunControl control;
  control.stop = stop.get_token();
  auto outcome = run_experiment(config_for(), maze, {1, 1}, model, sink, control);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->metrics.end_reason, "cancelled");
  EXPECT_EQ(calls, 2);
}

TEST(AgentLoopTest, GoalInSightAtTheStartEndsBeforeAnyModelCall) {
  const Maze maze = drawn({"#####", "#.G.#", "#####"});
  ScriptedModel model;
  model.script = {moves({"move_east"})};
  VectorActionSink sink;
  auto outcome = run_experiment(config_for(), maze, {1, 1}, model.fn(), sink);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->metrics.success);
  EXPECT_EQ(outcome->metrics.optimal_moves, 0);
  EXPECT_TRUE(model.requests.empty());
}

TEST(AgentLoopTest, SameSeedAndAnswersGiveTheSameRun) {
  const Maze maze = long_corridor();
  auto run = [&] {
    ScriptedModel model;
    model.script = {moves({"move_east", "move_east"}), moves({"move_west"}),
                    moves({"move_east", "move_north"})};
    VectorActionSink sink;
    ExperimentConfig config = config_for(30);
    config.seed = 42;
    ManualClock clock;
    RunControl control;
    control.clock = &clock;
    EXPECT_TRUE(run_experiment(config, maze, {1, 1}, model.fn(), sink, control).ok());
    json out = json::array();
    for (const auto& a : sink.actions()) {
      json j = action_json(a);
      out.push_back(j);
    }
    return std::pair{out, model.requests.back().inference.seed};
  };
  const auto first = run();
  EXPECT_EQ(first.first.size(), 50u);
  EXPECT_TRUE(first == run());
}

}  // namespace
}  // namespace osprey::maze
