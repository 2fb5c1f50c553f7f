#pragma once
// OpenAiProvider: any OpenAI-compatible chat server (OpenAI, vLLM, llama.cpp, Ollama /v1, ...)
// over net::HttpClient: POST {base_url}/v1/chat/completions (SSE when streaming) and
// GET {base_url}/v1/models as the probe. A base_url that already ends in /v1 is not doubled.
// Immutable after construction; safe for concurrent calls. The HttpClient must outlive it.
#include <memory>
#include <string>

#include "net/http_client.h"
#include "providers/provider.h"
#include "providers/upstream_call.h"

namespace osprey::providers::openai {

class OpenAiProvider final : public Provider {
 public:
  // Fails with kConfigInvalid naming the field (base_url) when the config cannot work.
  static Result<std::unique_ptr<Provider>> create(const ProviderConfig& config,
                                                  net::HttpClient& client);

  OpenAiProvider(ProviderConfig config, net::HttpClient& client);

  std::string_view adapter() const override { return "openai"; }
  net::Task<UpstreamResult<ChatResponse>> chat(const ChatRequest& request,
                                               const CallContext& ctx) const override;
  net::Task<UpstreamResult<std::unique_ptr<ChatEventReader>>> stream(
      const ChatRequest& request, const CallContext& ctx) const override;
  net::Task<Status> probe(const CallContext& ctx) const override;

 private:
  UpstreamResult<net::ClientRequest> build(const ChatRequest& request, const CallContext& ctx,
                                           bool stream) const;
  void authorize(net::ClientRequest& request) const;

  const ProviderConfig config_;
  const FixedUrl chat_url_;          // joined and parsed once: every call posts to it
  const std::string authorization_;  // "Bearer <api_key>"; empty without a key
  net::HttpClient& client_;
};

}  // namespace osprey::providers::openai
