#include "maze/experiment_config.h"

#include <gtest/gtest.h>

namespace osprey::maze {
namespace {

using json = nlohmann::json;

TEST(ExperimentConfigTest, ParsesEveryKeyAndRoundTrips) {
  const json input = {{"model", "ollama/llama3"},  {"seed", 9},
                      {"temperature", 0.2},        {"top_p", 0.9},
                      {"max_tokens", 256},         {"num_ctx", 32768},
                      {"num_predict", 512},        {"vision_range", 4},
                      {"see_through_walls", true}, {"goal_rule", "reach"},
                      {"recall_interval", 5},      {"max_moves", 300},
                      {"max_duration", 1.5},       {"max_actions_per_turn", 3},
                      {"max_turns", 400},          {"prompt_version", "v1"},
                      {"history_window", 20},      {"provider_options", {{"top_k", 40}}}};
  auto c = parse_experiment_config(input);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->model, "ollama/llama3");
  EXPECT_EQ(c->seed, 9u);
  EXPECT_EQ(c->inference.temperature, 0.2);
  EXPECT_EQ(c->inference.max_tokens, 256);
  EXPECT_EQ(c->provider_options, (json{{"top_k", 40}, {"num_ctx", 32768}, {"num_predict", 512}}));
  EXPECT_EQ(c->vision_range, 4);
  EXPECT_EQ(c->see_through_walls, true);
  EXPECT_EQ(c->goal_rule, GoalRule::kReach);
  EXPECT_EQ(c->limits.max_duration, std::chrono::milliseconds(1500));
  EXPECT_EQ(c->limits.max_actions_per_turn, 3);
  EXPECT_EQ(c->prompt_version, "v1");
  auto again = parse_experiment_config(experiment_config_json(*c));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(experiment_config_json(*again), experiment_config_json(*c));
}

TEST(ExperimentConfigTest, DefaultsNeedOnlyTheModel) {
  auto c = parse_experiment_config(json{{"model", "local/explorer"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->goal_rule, GoalRule::kSeen);
  EXPECT_EQ(c->prompt_version, "v2");
  EXPECT_FALSE(c->see_through_walls.has_value());
  EXPECT_FALSE(c->inference.temperature.has_value());
}

TEST(ExperimentConfigTest, BadValuesNameTheKey) {
  for (const auto& [input, message] : std::vector<std::pair<json, std::string>>{
           {json::array(), "model_config: must be a JSON object"},
           {json::object(), "model_config.model: is required"},
           {json{{"model", "m"}, {"max_moves", 0}}, "model_config.max_moves: must be an integer"},
           {json{{"model", "m"}, {"temperature", "hot"}},
            "model_config.temperature: must be a number"},
           {json{{"model", "m"}, {"goal_rule", "touch"}}, "model_config.goal_rule"},
           {json{{"model", "m"}, {"prompt_version", "v9"}}, "unknown prompt version 'v9'"},
           {json{{"model", "m"}, {"max_duration", 0}}, "model_config.max_duration"},
           {json{{"model", "m"}, {"see_through_walls", 1}}, "model_config.see_through_walls"},
           {json{{"model", "m"}, {"visionrange", 3}}, "model_config.visionrange: unknown key"}}) {
    auto c = parse_experiment_config(input);
    ASSERT_FALSE(c.ok()) << input.dump();
    EXPECT_EQ(c.code(), ErrorCode::kInvalidRequest);
    EXPECT_NE(c.error().message.find(message), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace osprey::maze
