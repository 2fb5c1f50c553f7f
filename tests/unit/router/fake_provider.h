#pragma once
// FakeProvider: an in-memory, scriptable Provider for router tests (no HTTP). Every provider
// built by one test shares a FakeBackend that decides each call's outcome and logs the calls.
// Deployments are told apart by their base_url ("http://a" -> "a").
// Thread-safety: tests run everything on one io_context thread; no locking.
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/sleep.h"
#include "providers/provider.h"
#include "providers/provider_registry.h"

namespace osprey::router::testing {

// One scripted outcome of a call.
struct Outcome {
  std::optional<providers::UpstreamError> error;  // chat error, or stream open error
  // Streams: the events delivered, then `stream_error` (or the clean end) after them.
  std::vector<providers::StreamEvent> events;
  std::optional<providers::UpstreamError> stream_error;
  std::function<void()> on_call;  // side effect when the call starts (advance a clock, cancel)
  bool hold = false;              // wait until FakeBackend::release() before answering
};

inline providers::UpstreamError http_error(
    int status, std::optional<std::chrono::milliseconds> retry_after = std::nullopt) {
  providers::UpstreamError e =
      providers::upstream_error_from_status(status, "fake " + std::to_string(status));
  e.retry_after = retry_after;
  return e;
}

class FakeBackend {
 public:
  // The next call (to any deployment) gets `o`; queued calls are used up in order.
  void next(const Outcome& o) { queue_.push_back(o); }
  // Every call to `name` fails with `error` until cleared (nullopt).
  void set_down(const std::string& name, std::optional<providers::UpstreamError> error) {
    down_[name] = std::move(error);
  }
  void set_probe_ok(const std::string& name, bool ok) { probe_ok_[name] = ok; }
  // Probes of `name` hang (like an upstream that never answers) until release() or until the
  // probe's cancel token fires.
  void set_probe_hang(const std::string& name, bool hang) { probe_hang_[name] = hang; }
  void release() { released_ = true; }

  int calls(const std::string& name) const {
    auto it = calls_.find(name);
    return it == calls_.end() ? 0 : it->second;
  }
  int probes(const std::string& name) const {
    auto it = probes_.find(name);
    return it == probes_.end() ? 0 : it->second;
  }
  const std::vector<std::string>& order() const { return order_; }
  int holding() const { return holding_; }
  int probes_hanging() const { return probes_hanging_; }
  const std::vector<providers::ChatRequest>& requests() const { return requests_; }

  // Decides the outcome of one call to `name`.
  Outcome take(const std::string& name, const providers::ChatRequest& request) {
    ++calls_[name];
    order_.push_back(name);
    requests_.push_back(request);
    Outcome o;
    if (!queue_.empty()) {
      o = std::move(queue_.front());
      queue_.pop_front();
    } else if (auto it = down_.find(name); it != down_.end() && it->second) {
      o.error = it->second;
    }
    if (o.on_call) o.on_call();
    return o;
  }

  net::Task<void> maybe_hold(const Outcome& o) {
    if (!o.hold) co_return;
    ++holding_;
    while (!released_) co_await net::sleep_for(std::chrono::milliseconds(1));
    --holding_;
  }

  net::Task<void> maybe_hang_probe(const std::string& name, const providers::CallContext& ctx) {
    auto it = probe_hang_.find(name);
    if (it == probe_hang_.end() || !it->second) co_return;
    ++probes_hanging_;
    while (!released_ && !(ctx.cancel && ctx.cancel->cancelled())) {
      co_await net::sleep_for(std::chrono::milliseconds(1));
    }
    --probes_hanging_;
  }

  bool probe(const std::string& name) {
    ++probes_[name];
    auto it = probe_ok_.find(name);
    return it == probe_ok_.end() || it->second;
  }

 private:
  std::deque<Outcome> queue_;
  std::map<std::string, std::optional<providers::UpstreamError>> down_;
  std::map<std::string, bool> probe_ok_;
  std::map<std::string, bool> probe_hang_;
  std::map<std::string, int> calls_;
  std::map<std::string, int> probes_;
  std::vector<std::string> order_;
  std::vector<providers::ChatRequest> requests_;
  bool released_ = false;
  int holding_ = 0;
  int probes_hanging_ = 0;
};

class FakeReader final : public providers::ChatEventReader {
 public:
  FakeReader(std::vector<providers::StreamEvent> events,
             std::optional<providers::UpstreamError> error)
      : events_(std::move(events)), error_(std::move(error)) {}

  net::Task<providers::UpstreamResult<std::optional<providers::StreamEvent>>> next() override {
    using R = providers::UpstreamResult<std::optional<providers::StreamEvent>>;
    if (pos_ < events_.size()) co_return R(std::optional<providers::StreamEvent>(events_[pos_++]));
    if (error_) co_return R(*error_);
    co_return R(std::optional<providers::StreamEvent>());
  }

 private:
  std::vector<providers::StreamEvent> events_;
  std::optional<providers::UpstreamError> error_;
  std::size_t pos_ = 0;
};

class FakeProvider final : public providers::Provider {
 public:
  FakeProvider(FakeBackend& backend, std::string name)
      : backend_(backend), name_(std::move(name)) {}

  std::string_view adapter() const override { return "fake"; }

  net::Task<providers::UpstreamResult<providers::ChatResponse>> chat(
      const providers::ChatRequest& request, const providers::CallContext&) const override {
    Outcome o = backend_.take(name_, request);
    co_await backend_.maybe_hold(o);
    if (o.error) co_return *o.error;
    providers::ChatResponse r;
    r.id = "resp-" + name_;
    r.model = request.model;
    r.content.push_back(providers::TextBlock{"answer from " + name_});
    r.stop_reason = providers::StopReason::kEndTurn;
    r.usage = {3, 5};
    co_return r;
  }

  net::Task<providers::UpstreamResult<std::unique_ptr<providers::ChatEventReader>>> stream(
      const providers::ChatRequest& request, const providers::CallContext&) const override {
    Outcome o = backend_.take(name_, request);
    co_await backend_.maybe_hold(o);
    if (o.error) co_return *o.error;
    if (o.events.empty() && !o.stream_error) {
      o.events = {providers::MessageStartEvent{"s-" + name_, request.model},
                  providers::TextDeltaEvent{0, "hello from " + name_}, providers::UsageEvent{3, 5},
                  providers::MessageStopEvent{}};
    }
    std::unique_ptr<providers::ChatEventReader> reader =
        std::make_unique<FakeReader>(std::move(o.events), std::move(o.stream_error));
    co_return reader;
  }

  net::Task<Status> probe(const providers::CallContext& ctx) const override {
    const bool ok = backend_.probe(name_);
    co_await backend_.maybe_hang_probe(name_, ctx);
    if (ok) co_return Status{};
    co_return make_error(ErrorCode::kUpstreamError, "probe of " + name_ + " failed");
  }

 private:
  FakeBackend& backend_;
  const std::string name_;
};

// Registers the fake under every adapter name the router config accepts.
inline void register_fakes(providers::ProviderRegistry& registry, FakeBackend& backend) {
  for (const char* adapter : {"openai", "ollama", "anthropic", "bedrock"}) {
    registry.add(adapter,
                 [&backend](const providers::ProviderConfig& config,
                            net::HttpClient&) -> Result<std::unique_ptr<providers::Provider>> {
                   std::string name = config.base_url;
                   if (name.rfind("http://", 0) == 0) name = name.substr(7);
                   if (name == "broken")
                     return make_error(ErrorCode::kConfigInvalid, "fake: refused");
                   return std::unique_ptr<providers::Provider>(
                       std::make_unique<FakeProvider>(backend, name));
                 });
  }
}

}  // namespace osprey::router::testing
