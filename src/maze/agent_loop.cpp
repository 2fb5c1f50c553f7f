#include "maze/agent_loop.h"

#include <algorithm>
#include <optional>
#include <variant>

#include "maze/environment.h"
#include "maze/prompt_template.h"

namespace osprey::maze {
namespace {

std::int64_t millis_since(const Clock& clock, std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - start).count();
}

// The run's end, if it has come: checked before every model call and after every action.
class EndCheck {
 public:
  EndCheck(const ExperimentConfig& config, const Environment& env, const RunControl& control)
      : config_(config), env_(env), control_(control), start_(control.clock->now()) {}

  std::optional<std::string> operator()() const {
    if (env_.goal_found()) return "goal_found";
    if (env_.successful_moves() >= config_.limits.max_moves) return "max_moves";
    if (elapsed_ms() >= config_.limits.max_duration.count()) return "max_duration";
    if (control_.stop.stop_requested()) return "cancelled";
    return std::nullopt;
  }
  std::int64_t elapsed_ms() const { return millis_since(*control_.clock, start_); }

 private:
  const ExperimentConfig& config_;
  const Environment& env_;
  const RunControl& control_;
  const std::chrono::steady_clock::time_point start_;
};

ActionRecord record_of(const ToolOutcome& outcome, const providers::ToolUseBlock& use) {
  ActionRecord a;
  a.action_type = outcome.action_type;
  a.reasoning = outcome.reasoning;
  a.from = outcome.from;
  a.to = outcome.to;
  a.success = outcome.success;
  a.tiles_seen = outcome.tiles_seen;
  a.detail = {{"tool", use.name}, {"arguments", use.input}, {"result", outcome.result}};
  if (outcome.refused || outcome.invalid) a.detail["error"] = outcome.result.value("error", "");
  return a;
}

// A tool call past max_actions_per_turn: not executed, recorded, and answered with an error.
ActionRecord over_limit(const providers::ToolUseBlock& use, Position at, int limit) {
  ActionRecord a;
  const bool known = std::any_of(maze_tools().begin(), maze_tools().end(),
                                 [&](const auto& t) { return t.name == use.name; });
  a.action_type = known ? use.name : std::string(kInvalidToolCall);
  a.from = a.to = at;
  if (use.input.is_object() && use.input.contains("reasoning") &&
      use.input["reasoning"].is_string()) {
    a.reasoning = use.input["reasoning"].get<std::string>();
  }
  nlohmann::json result = {
      {"success", false},
      {"error", "max_actions_per_turn"},
      {"message", "Not executed: at most " + std::to_string(limit) + " tool calls run per turn"}};
  a.detail = {{"tool", use.name},
              {"arguments", use.input},
              {"result", result},
              {"error", "max_actions_per_turn"}};
  return a;
}

}  // namespace

Result<RunOutcome> run_experiment(const ExperimentConfig& config, const Maze& maze, Position start,
                                  const ModelFn& model, ActionSink& sink,
                                  const RunControl& control) {
  Environment env(maze, start,
                  {vision_rules(config, maze), config.goal_rule, config.recall_interval});
  const EndCheck end_check(config, env, control);
  std::vector<ActionRecord> history;
  nlohmann::json previous_results = nlohmann::json::array();
  int turn = 0;
  std::optional<std::string> end = end_check();
  while (!end) {
    if (turn >= config.limits.max_turns) {
      end = "max_turns";
      break;
    }
    ++turn;
    const std::size_t window =
        std::min(history.size(), static_cast<std::size_t>(config.history_window));
    const TurnContext context{turn, std::span(history).last(window), previous_results};
    Result<ModelReply> reply = model(build_turn_request(config, env, context));
    if (!reply) return reply.error();
    // An answer that arrives after max_duration is not acted on: the run must not overshoot.
    if (end = end_check(); end) break;

    std::vector<const providers::ToolUseBlock*> uses;
    for (const auto& block : reply->response.content) {
      if (const auto* use = std::get_if<providers::ToolUseBlock>(&block)) uses.push_back(use);
    }
    const std::string text = providers::response_text(reply->response);
    std::vector<ActionRecord> actions;
    previous_results = nlohmann::json::array();
    if (uses.empty()) {
      ActionRecord a;
      a.action_type = std::string(kNoToolCall);
      a.reasoning = text;
      a.from = a.to = env.position();
      a.detail = {{"text", text}};
      a.elapsed_ms = end_check.elapsed_ms();
      actions.push_back(std::move(a));
      previous_results.push_back(
          {{"error", "no_tool_call"},
           {"message", "You answered without calling a tool; act by calling one of the tools."}});
    }
    int executed = 0;
    for (const providers::ToolUseBlock* use : uses) {
      if (end) break;
      if (executed >= config.limits.max_actions_per_turn) {
        actions.push_back(over_limit(*use, env.position(), config.limits.max_actions_per_turn));
      } else {
        ToolOutcome outcome = env.execute(use->name, use->input);
        ++executed;
        actions.push_back(record_of(outcome, *use));
        if (actions.back().reasoning.empty()) actions.back().reasoning = text;
        end = end_check();
      }
      actions.back().elapsed_ms = end_check.elapsed_ms();
      previous_results.push_back(
          {{"tool", use->name}, {"result", actions.back().detail["result"]}});
    }
    // The run stops at the action that found the goal, so only a turn's last action can be it.
    actions.back().found_goal = env.goal_found();
    actions.front().input_tokens = reply->response.usage.input_tokens;
    actions.front().output_tokens = reply->response.usage.output_tokens;
    actions.front().cost_usd = reply->cost_usd;
    actions.front().model_latency_ms = reply->latency_ms;
    for (ActionRecord& a : actions) {
      a.step_number = static_cast<int>(history.size()) + 1;
      a.turn_number = turn;
      history.push_back(a);
    }
    if (Status st = sink.append(actions); !st.ok()) return st.error();
  }
  RunOutcome outcome;
  outcome.final_position = env.position();
  outcome.metrics = compute_metrics(maze, config, start, history, *end, end_check.elapsed_ms());
  return outcome;
}

}  // namespace osprey::maze
