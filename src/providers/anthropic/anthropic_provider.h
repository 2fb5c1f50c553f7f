#pragma once
// AnthropicProvider: the Anthropic Messages API over net::HttpClient: POST {base_url}/v1/messages
// with x-api-key and anthropic-version (SSE events when streaming, message_stop ends the answer,
// an `error` event is an error) and GET {base_url}/v1/models as the probe (needs the key, so a
// 401 marks the deployment unhealthy). Immutable after construction; safe for concurrent calls.
// The HttpClient must outlive it.
#include <memory>

#include "net/http_client.h"
#include "providers/provider.h"
#include "providers/upstream_call.h"

namespace osprey::providers::anthropic {

class AnthropicProvider final : public Provider {
 public:
  // Fails with kConfigInvalid naming the field (api_key, base_url) when the config cannot work.
  static Result<std::unique_ptr<Provider>> create(const ProviderConfig& config,
                                                  net::HttpClient& client);

  AnthropicProvider(ProviderConfig config, net::HttpClient& client);

  std::string_view adapter() const override { return "anthropic"; }
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
  const FixedUrl messages_url_;  // joined and parsed once: every call posts to it
  net::HttpClient& client_;
};

}  // namespace osprey::providers::anthropic
