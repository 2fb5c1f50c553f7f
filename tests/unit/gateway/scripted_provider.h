#pragma once
// ScriptedProvider: a Provider whose answers a test sets per upstream model, registered under
// the adapter name "openai" so that ordinary `models:` configs build it. Streams replay a list
// of events and may end in an error. Thread-safe enough for single-threaded tests.
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "providers/provider.h"
#include "providers/provider_registry.h"

namespace osprey::gateway::testing {

struct Script {
  std::optional<providers::UpstreamError> error;  // returned by chat() and stream() when set
  providers::ChatResponse response;
  std::vector<providers::StreamEvent> events;
  std::optional<providers::UpstreamError> stream_error;  // after `events`, instead of the end
  bool burst = false;  // the events arrive together: the reader is ready() while any are left
};

struct ScriptBook {
  std::map<std::string, Script> by_model;  // upstream model → script
  std::vector<providers::CallContext> calls;
};

class ScriptedReader final : public providers::ChatEventReader {
 public:
  explicit ScriptedReader(Script script)
      : events_(script.events.begin(), script.events.end()),
        error_(script.stream_error),
        burst_(script.burst) {}
  bool ready() override { return burst_ && !events_.empty(); }
  net::Task<providers::UpstreamResult<std::optional<providers::StreamEvent>>> next() override {
    if (!events_.empty()) {
      providers::StreamEvent event = events_.front();
      events_.pop_front();
      co_return std::optional<providers::StreamEvent>(std::move(event));
    }
    if (error_) co_return *error_;
    co_return std::optional<providers::StreamEvent>();
  }

 private:
  std::deque<providers::StreamEvent> events_;
  std::optional<providers::UpstreamError> error_;
  bool burst_ = false;
};

class ScriptedProvider final : public providers::Provider {
 public:
  ScriptedProvider(std::string model, ScriptBook& book) : model_(std::move(model)), book_(book) {}
  std::string_view adapter() const override { return "openai"; }

  net::Task<providers::UpstreamResult<providers::ChatResponse>> chat(
      const providers::ChatRequest&, const providers::CallContext& ctx) const override {
    book_.calls.push_back(ctx);
    const Script& s = book_.by_model[model_];
    if (s.error) co_return *s.error;
    co_return s.response;
  }
  net::Task<providers::UpstreamResult<std::unique_ptr<providers::ChatEventReader>>> stream(
      const providers::ChatRequest&, const providers::CallContext& ctx) const override {
    book_.calls.push_back(ctx);
    const Script& s = book_.by_model[model_];
    if (s.error) co_return *s.error;
    co_return std::unique_ptr<providers::ChatEventReader>(std::make_unique<ScriptedReader>(s));
  }
  net::Task<Status> probe(const providers::CallContext&) const override { co_return Status(); }

 private:
  std::string model_;
  ScriptBook& book_;
};

inline void register_scripted(providers::ProviderRegistry& registry, ScriptBook& book) {
  registry.add("openai",
               [&book](const providers::ProviderConfig& config,
                       net::HttpClient&) -> Result<std::unique_ptr<providers::Provider>> {
                 return std::unique_ptr<providers::Provider>(
                     std::make_unique<ScriptedProvider>(config.upstream_model, book));
               });
}

}  // namespace osprey::gateway::testing
