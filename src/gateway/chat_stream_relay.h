#pragma once
// ChatStreamRelay: the producer of one streamed /v1/chat/completions answer. Pulls normalized
// events from the routed upstream stream and writes OpenAI `chat.completion.chunk` SSE events,
// the optional usage chunk and `data: [DONE]`. If the upstream fails midway it sends one
// `data: {"error":{...}}` event in the API's error shape and NO [DONE], so clients see a failure
// rather than a short answer. Owned by the SSE producer; used from one coroutine only.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/gateway_metrics.h"
#include "net/cancel_token.h"
#include "net/event_stream.h"
#include "net/task.h"
#include "providers/openai/openai_chunk_writer.h"
#include "providers/provider.h"

namespace osprey::gateway {

// The route a chat completion is counted under, streamed (by the relay) or not.
inline constexpr std::string_view kChatCompletionsPath = "/v1/chat/completions";

// How one streamed answer ended, for the end-of-request stages (token reconcile, budget settle,
// usage ledger, cache store), which cannot act before the stream is over.
struct StreamOutcome {
  bool complete = false;   // `data: [DONE]` reached the client: the answer is whole
  providers::Usage usage;  // from the upstream's usage event; zero when it sent none
  // Every data payload sent, in order ("[DONE]" last), when the context asked for them.
  const std::vector<std::string>* events = nullptr;
};

struct ChatStreamRelayContext {
  std::string request_id;
  std::string model;       // public model that answers (shown in every chunk)
  std::string deployment;  // for logs
  bool include_usage = false;
  std::int64_t created = 0;                  // unix seconds
  std::shared_ptr<net::CancelToken> cancel;  // fired here when the client is gone
  bool record_events = false;                // keep every sent payload for StreamOutcome::events
  // Run once, in order, when the stream ends however it ends (also when it never ran: then
  // from the destructor, with complete = false). Each stage appends its own hook.
  std::vector<std::function<void(const StreamOutcome&)>> on_complete;
};

class ChatStreamRelay {
 public:
  ChatStreamRelay(std::unique_ptr<providers::ChatEventReader> events,
                  ChatStreamRelayContext context, GatewayMetrics& metrics);
  ~ChatStreamRelay();
  ChatStreamRelay(const ChatStreamRelay&) = delete;
  ChatStreamRelay& operator=(const ChatStreamRelay&) = delete;

  // Runs the whole stream. REQUIRES: called once.
  net::Task<void> run(net::EventStream& out);

 private:
  // The stream itself; true when it ended with [DONE] delivered.
  net::Task<bool> relay(net::EventStream& out);
  // Sends the held data lines in one write and empties them; false once the client is gone (the
  // cancel token is then fired). `last`: they end the stream (EventStream::send_last).
  net::Task<bool> flush(net::EventStream& out, bool last = false);
  void finish(bool complete);  // runs the on_complete hooks once

  std::unique_ptr<providers::ChatEventReader> events_;
  ChatStreamRelayContext context_;
  GatewayMetrics& metrics_;
  providers::openai::OpenAiChunkWriter writer_;
  providers::Usage usage_;
  // Chunks written while the next event was already decoded, sent together before a wait.
  std::vector<std::string> held_;
  std::size_t held_bytes_ = 0;
  std::vector<std::string> sent_;  // only with context_.record_events
  bool finished_ = false;
};

}  // namespace osprey::gateway
