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

net::Task<bool> ChatStreamRelay::send(net::EventStream& out, const std::string& data) {
  // Named locals, not temporaries, inside co_await (GCC 12 coroutine temporaries are fragile).
  const std::string_view payload = data;
  const std::string_view no_event;
  const std::string_view no_id;
  const bool sent = co_await out.send(payload, no_event, no_id);
  if (!sent && context_.cancel) context_.cancel->cancel();
  if (sent && context_.record_events) sent_.push_back(data);
  co_return sent;
}

net::Task<void> ChatStreamRelay::run(net::EventStream& out) {
  const bool complete = co_await relay(out);
  finish(complete);
}

net::Task<bool> ChatStreamRelay::relay(net::EventStream& out) {
  while (true) {
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
      const std::string body = net::error_body(error, context_.request_id);
      co_await send(out, body);
      co_return false;
    }
    if (!next.value().has_value()) break;
    if (const auto* usage = std::get_if<providers::UsageEvent>(&*next.value())) {
      usage_ = {usage->input_tokens, usage->output_tokens};
    }
    for (const nlohmann::json& chunk : writer_.write(*next.value())) {
      if (!co_await send(out, chunk.dump())) {
        metrics_.count(kChatCompletionsPath, true, "client_closed");
        co_return false;
      }
    }
  }
  if (std::optional<nlohmann::json> usage = writer_.finish()) {
    if (!co_await send(out, usage->dump())) {
      metrics_.count(kChatCompletionsPath, true, "client_closed");
      co_return false;
    }
  }
  const bool done = co_await send(out, "[DONE]");
  metrics_.count(kChatCompletionsPath, true, done ? "ok" : "client_closed");
  co_return done;
}

}  // namespace osprey::gateway
