#include "gateway/chat_stream_relay.h"

#include <utility>

#include "core/log.h"
#include "net/response.h"

namespace osprey::gateway {

ChatStreamRelay::ChatStreamRelay(std::unique_ptr<providers::ChatEventReader> events,
                                 ChatStreamRelayContext context, GatewayMetrics& metrics)
    : events_(std::move(events)),
      context_(std::move(context)),
      metrics_(metrics),
      writer_("", context_.model, context_.created, context_.include_usage) {}

ChatStreamRelay::~ChatStreamRelay() { finish(false); }

void ChatStreamRelay::finish(bool complete) {
  if (finished_) return;
  finished_ = true;
  StreamOutcome outcome;
  outcome.complete = complete;
  outcome.usage = usage_;
  if (context_.record_events) outcome.events = &sent_;
  for (const auto& hook : context_.on_complete) hook(outcome);
}

namespace {
// Held chunks are flushed before this many bytes, so a long burst still leaves in pieces.
constexpr std::size_t kMaxHeldBytes = 16 * 1024;
}  // namespace

net::Task<bool> ChatStreamRelay::flush(net::EventStream& out, bool last) {
  if (held_.empty()) co_return true;
  const std::span<const std::string> lines = held_;
  const bool sent = last ? co_await out.send_last(lines) : co_await out.send_all(lines);
  if (!sent && context_.cancel) context_.cancel->cancel();
  if (sent && context_.record_events) {
    for (std::string& line : held_) sent_.push_back(std::move(line));
  }
  held_.clear();
  held_bytes_ = 0;
  co_return sent;
}

net::Task<void> ChatStreamRelay::run(net::EventStream& out) {
  const bool complete = co_await relay(out);
  finish(complete);
}

// Each event's chunks are held while the next event is already decoded, and written together
// before the relay would wait for the upstream: a burst of events (a fast local model, several
// events in one read) leaves in one write, and a token that arrives alone is never held back.
net::Task<bool> ChatStreamRelay::relay(net::EventStream& out) {
  while (true) {
    if (!held_.empty() && (!events_->ready() || held_bytes_ >= kMaxHeldBytes)) {
      if (!co_await flush(out)) {
        metrics_.count(kChatCompletionsPath, true, "client_closed");
        co_return false;
      }
    }
    providers::UpstreamResult<std::optional<providers::StreamEvent>> next =
        co_await events_->next();
    if (!next) {
      const Error error = next.error().to_error();
      log::warn("stream_failed", {{"request_id", context_.request_id},
                                  {"model", context_.model},
                                  {"deployment", context_.deployment},
                                  {"code", code_name(error.code)},
                                  {"error", error.message}});
      metrics_.count(kChatCompletionsPath, true, "stream_failed");
      held_.push_back(net::error_body(error, context_.request_id));
      co_await flush(out, true);
      co_return false;
    }
    if (!next.value().has_value()) break;
    if (const auto* usage = std::get_if<providers::UsageEvent>(&*next.value())) {
      usage_ = {usage->input_tokens, usage->output_tokens};
    }
    const std::size_t before = held_.size();
    writer_.write(*next.value(), held_);
    for (std::size_t i = before; i < held_.size(); ++i) held_bytes_ += held_[i].size();
  }
  if (std::optional<std::string> usage = writer_.finish()) held_.push_back(std::move(*usage));
  held_.push_back("[DONE]");
  const bool done = co_await flush(out, true);
  metrics_.count(kChatCompletionsPath, true, done ? "ok" : "client_closed");
  co_return done;
}

}  // namespace osprey::gateway
