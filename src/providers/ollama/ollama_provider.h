#pragma once
// OllamaProvider: Ollama's native API over net::HttpClient: POST {base_url}/api/chat (NDJSON
// lines when streaming, "done": true ends the answer) and GET {base_url}/api/tags as the probe.
// Immutable after construction; safe for concurrent calls. The HttpClient must outlive it.
#include <memory>

#include "net/http_client.h"
#include "providers/provider.h"
#include "providers/upstream_call.h"

namespace osprey::providers::ollama {

class OllamaProvider final : public Provider {
 public:
  // Fails with kConfigInvalid naming the field (base_url) when the config cannot work.
  static Result<std::unique_ptr<Provider>> create(const ProviderConfig& config,
                                                  net::HttpClient& client);

  OllamaProvider(ProviderConfig config, net::HttpClient& client);

  std::string_view adapter() const override { return "ollama"; }
  net::Task<UpstreamResult<ChatResponse>> chat(const ChatRequest& request,
                                               const CallContext& ctx) const override;
  net::Task<UpstreamResult<std::unique_ptr<ChatEventReader>>> stream(
      const ChatRequest& request, const CallContext& ctx) const override;
  net::Task<Status> probe(const CallContext& ctx) const override;

 private:
  UpstreamResult<net::ClientRequest> build(const ChatRequest& request, const CallContext& ctx,
                                           bool stream) const;

  const ProviderConfig config_;
  const FixedUrl chat_url_;  // joined and parsed once: every call posts to it
  net::HttpClient& client_;
};

}  // namespace osprey::providers::ollama
