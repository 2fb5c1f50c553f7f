// The `local` adapter behind the real router: the default model table is a valid `models:`
// section, and the baseline agents answer through ModelRouter like any upstream, streaming too.
#include "maze/agents/local_provider.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "core/metrics.h"
#include "maze/agent_loop.h"
#include "maze/agents/local_agent.h"
#include "maze_fixture.h"
#include "net/http_client.h"
#include "router/model_router.h"
#include "router/router_config.h"

namespace osprey::maze {
namespace {

template <typename T>
T run(net::Task<T> task) {
  std::optional<T> out;
  boost::asio::io_context io;
  boost::asio::co_spawn(
      io, [&]() -> net::Task<void> { out.emplace(co_await std::move(task)); },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  return std::move(*out);
}

class LocalProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    providers::register_builtin_providers(registry_);
    register_local_provider(registry_);
    auto config =
        router::parse_router_config(nlohmann::json{{"models", default_models_section()}}, {});
    ASSERT_TRUE(config.ok()) << config.error().message;
    router_ = std::make_unique<router::ModelRouter>(registry_, client_, metrics_, clock_);
    ASSERT_TRUE(router_->load(*config).ok());
  }

  providers::ProviderRegistry registry_;
  net::HttpClient client_;
  metrics::Registry metrics_;
  ManualClock clock_;
  std::unique_ptr<router::ModelRouter> router_;
};

TEST_F(LocalProviderTest, DefaultModelTableServesTheThreeAgents) {
  std::vector<std::string> names;
  for (const auto& m : router_->models()) names.push_back(m.name);
  EXPECT_EQ(names, local_model_names());
}

TEST_F(LocalProviderTest, ExplorerRunsAnExperimentThroughTheRouter) {
  const Maze maze = testing::drawn(
      {"#########", "#...#...#", "#.#.#.#.#", "#.#...#.#", "#.#####.#", "#......G#", "#########"});
  ExperimentConfig config;
  config.model = "local/explorer";
  config.vision_range = 1;
  config.goal_rule = GoalRule::kReach;
  int calls = 0;
  ModelFn model = [&](const providers::ChatRequest& request) -> Result<ModelReply> {
    ++calls;
    auto routed = run(router_->chat(request, providers::CallContext{}));
    if (!routed) return routed.error().to_error();
    EXPECT_EQ(routed->deployment, "local/explorer#0");
    return ModelReply{std::move(routed->response), 0, 0};
  };
  VectorActionSink sink;
  auto outcome = run_experiment(config, maze, {1, 1}, model, sink);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_TRUE(outcome->metrics.success);
  EXPECT_EQ(outcome->final_position, (Position{7, 5}));
  EXPECT_EQ(calls, outcome->metrics.turns);
  EXPECT_GT(sink.actions().front().reasoning.size(), 0u);
}

TEST_F(LocalProviderTest, StreamingReplaysTheToolCall) {
  const Maze maze = testing::drawn({"#####", "#...#", "###G#"});
  ExperimentConfig config;
  config.model = "local/wall-follower";
  config.vision_range = 1;
  config.goal_rule = GoalRule::kReach;
  std::optional<providers::ChatRequest> captured;
  ModelFn capture = [&](const providers::ChatRequest& request) -> Result<ModelReply> {
    captured = request;
    return make_error(ErrorCode::kUpstreamError, "stop after one request");
  };
  VectorActionSink sink;
  ASSERT_FALSE(run_experiment(config, maze, {1, 1}, capture, sink).ok());
  ASSERT_TRUE(captured.has_value());
  auto stream = run(router_->stream(*captured, providers::CallContext{}));
  ASSERT_TRUE(stream.ok()) << stream.error().message;
  std::string tool;
  std::string arguments;
  while (true) {
    auto event = run(stream->events->next());
    ASSERT_TRUE(event.ok());
    if (!event->has_value()) break;
    if (auto* start = std::get_if<providers::ToolUseStartEvent>(&**event)) tool = start->name;
    if (auto* delta = std::get_if<providers::ToolUseDeltaEvent>(&**event)) {
      arguments += delta->partial_json;
    }
  }
  EXPECT_EQ(tool, "move_east");  // heading east at first: right (south) is a wall
  EXPECT_TRUE(nlohmann::json::parse(arguments).contains("reasoning"));
}

TEST_F(LocalProviderTest, RequestWithoutObservationIsABadRequest) {
  providers::ChatRequest request;
  request.model = "local/random";
  request.messages.push_back({providers::Role::kUser, {providers::TextBlock{"hello"}}});
  auto routed = run(router_->chat(request, providers::CallContext{}));
  ASSERT_FALSE(routed.ok());
  EXPECT_EQ(routed.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(routed.error().message.find("observation block"), std::string::npos);
}

TEST(LocalProviderRegistryTest, UnknownAgentIsConfigInvalid) {
  providers::ProviderRegistry registry;
  register_local_provider(registry);
  net::HttpClient client;
  providers::ProviderConfig config;
  config.adapter = "local";
  config.upstream_model = "local/genius";
  auto provider = registry.create(config, client);
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.code(), ErrorCode::kConfigInvalid);
  EXPECT_NE(provider.error().message.find("genius"), std::string::npos);
}

}  // namespace
}  // namespace osprey::maze
