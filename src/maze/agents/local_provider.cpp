#include "maze/agents/local_provider.h"

#include <chrono>
#include <deque>
#include <utility>
#include <variant>

#include "maze/agents/local_agent.h"

namespace osprey::maze {
namespace {

providers::UpstreamError upstream_error(const Error& error) {
  providers::UpstreamError out;
  out.code = ErrorCode::kInvalidRequest;
  out.http_status = 400;
  out.message = "local agent: " + error.message;
  return out;
}

// Replays a finished answer as stream events, so streaming clients get the same tool call.
class ReplayReader final : public providers::ChatEventReader {
 public:
  explicit ReplayReader(std::deque<providers::StreamEvent> events) : events_(std::move(events)) {}

  net::Task<providers::UpstreamResult<std::optional<providers::StreamEvent>>> next() override {
    if (events_.empty()) co_return std::optional<providers::StreamEvent>();
    providers::StreamEvent event = std::move(events_.front());
    events_.pop_front();
    co_return std::optional<providers::StreamEvent>(std::move(event));
  }

 private:
  std::deque<providers::StreamEvent> events_;
};

std::deque<providers::StreamEvent> stream_events(const providers::ChatResponse& response) {
  std::deque<providers::StreamEvent> events;
  events.push_back(providers::MessageStartEvent{response.id, response.model});
  int index = 0;
  for (const auto& block : response.content) {
    if (const auto* text = std::get_if<providers::TextBlock>(&block)) {
      events.push_back(providers::TextDeltaEvent{index, text->text});
    } else if (const auto* use = std::get_if<providers::ToolUseBlock>(&block)) {
      events.push_back(providers::ToolUseStartEvent{index, use->id, use->name});
      events.push_back(providers::ToolUseDeltaEvent{index, use->input.dump()});
    }
    ++index;
  }
  events.push_back(providers::MessageStopEvent{response.stop_reason});
  events.push_back(providers::UsageEvent{0, 0});
  return events;
}

// The agents are pure functions of the request; the answer's timestamp is the provider's.
std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class LocalProvider final : public providers::Provider {
 public:
  explicit LocalProvider(LocalAgentKind kind) : kind_(kind) {}

  std::string_view adapter() const override { return "local"; }

  net::Task<providers::UpstreamResult<providers::ChatResponse>> chat(
      const providers::ChatRequest& request, const providers::CallContext&) const override {
    Result<providers::ChatResponse> answer = answer_as_local_agent(kind_, request);
    if (!answer) co_return upstream_error(answer.error());
    answer->created = unix_now();
    co_return std::move(answer.value());
  }

  net::Task<providers::UpstreamResult<std::unique_ptr<providers::ChatEventReader>>> stream(
      const providers::ChatRequest& request, const providers::CallContext&) const override {
    Result<providers::ChatResponse> answer = answer_as_local_agent(kind_, request);
    if (!answer) co_return upstream_error(answer.error());
    std::unique_ptr<providers::ChatEventReader> reader =
        std::make_unique<ReplayReader>(stream_events(*answer));
    co_return std::move(reader);
  }

  net::Task<Status> probe(const providers::CallContext&) const override { co_return Status(); }

 private:
  const LocalAgentKind kind_;
};

}  // namespace

void register_local_provider(providers::ProviderRegistry& registry) {
  registry.add(
      "local",
      [](const providers::ProviderConfig& config,
         net::HttpClient&) -> Result<std::unique_ptr<providers::Provider>> {
        std::optional<LocalAgentKind> kind = parse_local_agent(config.upstream_model);
        if (!kind) {
          return make_error(ErrorCode::kConfigInvalid,
                            "local adapter: unknown agent '" + config.upstream_model +
                                "' (one of random, wall-follower, explorer)");
        }
        return std::unique_ptr<providers::Provider>(std::make_unique<LocalProvider>(*kind));
      });
}

nlohmann::json default_models_section() {
  nlohmann::json models = nlohmann::json::array();
  for (const std::string& name : local_model_names()) {
    models.push_back({{"name", name},
                      {"health", {{"enabled", false}}},
                      {"deployments", {{{"adapter", "local"}, {"model", name}}}}});
  }
  return models;
}

}  // namespace osprey::maze
