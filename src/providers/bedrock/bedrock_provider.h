#pragma once
// BedrockProvider: the AWS Bedrock Converse API over net::HttpClient, every request signed with
// SigV4 (service "bedrock"): POST {endpoint}/model/{modelId}/converse, and /converse-stream for
// streaming (AWS event stream frames; the metadata event ends the answer). The probe is a signed
// GET /foundation-models on the control-plane host bedrock.{region}.amazonaws.com (or on
// base_url when it is not the default runtime endpoint, for tests and private endpoints).
// Credentials come from the config, else from the environment / shared credentials file, and
// are resolved once at construction. Immutable afterwards; safe for concurrent calls.
// The HttpClient must outlive it.
#include <memory>
#include <string>

#include "net/http_client.h"
#include "providers/bedrock/aws_credentials.h"
#include "providers/provider.h"

namespace osprey::providers::bedrock {

class BedrockProvider final : public Provider {
 public:
  // Fails with kConfigInvalid naming the field (region, base_url, aws_access_key_id,
  // aws_secret_access_key) when the config cannot work. `env` is where credentials are looked
  // up when the config has none.
  static Result<std::unique_ptr<Provider>> create(const ProviderConfig& config,
                                                  net::HttpClient& client,
                                                  const EnvLookup& env = process_env());

  BedrockProvider(ProviderConfig config, AwsCredentials credentials, std::string probe_base_url,
                  net::HttpClient& client);

  std::string_view adapter() const override { return "bedrock"; }
  net::Task<UpstreamResult<ChatResponse>> chat(const ChatRequest& request,
                                               const CallContext& ctx) const override;
  net::Task<UpstreamResult<std::unique_ptr<ChatEventReader>>> stream(
      const ChatRequest& request, const CallContext& ctx) const override;
  net::Task<Status> probe(const CallContext& ctx) const override;

 private:
  // A signed request for `base_url` + `segments` (each one unescaped path segment).
  UpstreamResult<net::ClientRequest> signed_request(const CallContext& ctx, std::string method,
                                                    const std::string& base_url,
                                                    const std::vector<std::string>& segments,
                                                    std::string body,
                                                    std::string_view accept) const;
  UpstreamResult<net::ClientRequest> build(const ChatRequest& request, const CallContext& ctx,
                                           bool stream) const;

  const ProviderConfig config_;
  const AwsCredentials credentials_;
  const std::string probe_base_url_;
  net::HttpClient& client_;
};

}  // namespace osprey::providers::bedrock
