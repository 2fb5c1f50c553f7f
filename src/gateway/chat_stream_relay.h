#pragma once
// ChatStreamRelay: the producer of one streamed /v1/chat/completions answer. Pulls normalized
// events from the routed upstream stream and writes OpenAI `chat.completion.chunk` SSE events,
// the optional usage chunk and `data: [DONE]`. If the upstream fails midway it sends one
// `data: {"error":{...}}` event in the API's error shape and NO [DONE], so clients see a failure
// rather than a short answer. Owned by the SSE producer; used from one coroutine only.
#include <cstdint>
#include <memory>
#include <string>

#include "gateway/gateway_metrics.h"
#include "net/cancel_token.h"
#include "net/event_stream.h"
#include "net/task.h"
#include "providers/openai/openai_chunk_writer.h"
#include "providers/provider.h"

namespace osprey::gateway {

struct ChatStreamRelayContext {
  std::string request_id;
  std::string model;       // public model that answers (shown in every chunk)
  std::string deployment;  // for logs
  bool include_usage = false;
  std::int64_t created = 0;                  // unix seconds
  std::shared_ptr<net::CancelToken> cancel;  // fired here when the client is gone
};

class ChatStreamRelay {
 public:
  ChatStreamRelay(std::unique_ptr<providers::ChatEventReader> events,
                  ChatStreamRelayContext context, GatewayMetrics& metrics);

  // Runs the whole stream. REQUIRES: called once.
  net::Task<void> run(net::EventStream& out);

 private:
  // Sends one data line; false once the client is gone (the cancel token is then fired).
  net::Task<bool> send(net::EventStream& out, const std::string& data);

  std::unique_ptr<providers::ChatEventReader> events_;
  ChatStreamRelayContext context_;
  GatewayMetrics& metrics_;
  providers::openai::OpenAiChunkWriter writer_;
};

}  // namespace osprey::gateway
