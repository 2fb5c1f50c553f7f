#include "providers/bedrock/bedrock_provider.h"

#include <utility>

#include "net/url.h"
#include "providers/bedrock/aws_request_signer.h"
#include "providers/bedrock/converse_codec.h"
#include "providers/bedrock/converse_stream_parser.h"
#include "providers/bedrock/event_stream_decoder.h"
#include "providers/response_event_reader.h"
#include "providers/upstream_call.h"

namespace osprey::providers::bedrock {
namespace {

constexpr std::string_view kService = "bedrock";

std::string runtime_endpoint(const std::string& region) {
  return "https://bedrock-runtime." + region + ".amazonaws.com";
}

std::string trim_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

UpstreamError parse_bedrock_error(int status, const net::Headers& headers, std::string_view body) {
  return parse_error(status, headers.get("x-amzn-ErrorType"), body, retry_hints(headers));
}

// AWS event stream frames into ConverseStreamParser; the metadata event is the end marker.
class ConverseStreamDecoder final : public StreamDecoder {
 public:
  explicit ConverseStreamDecoder(std::string model) : parser_(std::move(model)) {}

  UpstreamResult<std::vector<StreamEvent>> feed(std::string_view bytes) override {
    auto messages = frames_.feed(bytes);
    if (!messages) return upstream_error_from(messages.error());
    std::vector<StreamEvent> out;
    for (const EventStreamMessage& message : *messages) {
      if (parser_.done()) break;
      auto events = parser_.feed(message);
      if (!events) {
        return parser_.last_error() ? *parser_.last_error() : upstream_error_from(events.error());
      }
      for (auto& e : *events) out.push_back(std::move(e));
    }
    return out;
  }
  bool done() const override { return parser_.done(); }
  std::string_view end_marker() const override { return "the metadata event"; }

 private:
  EventStreamDecoder frames_;
  ConverseStreamParser parser_;
};

}  // namespace

Result<std::unique_ptr<Provider>> BedrockProvider::create(const ProviderConfig& config,
                                                          net::HttpClient& client,
                                                          const EnvLookup& env) {
  auto invalid = [](std::string what) {
    return make_error(ErrorCode::kConfigInvalid, "bedrock adapter: " + std::move(what));
  };
  if (config.region.empty()) return invalid("region is required");
  if (config.upstream_model.empty()) return invalid("model must not be empty");
  ProviderConfig c = config;
  c.base_url = trim_slashes(c.base_url.empty() ? runtime_endpoint(c.region) : c.base_url);
  if (auto url = net::parse_url(c.base_url); !url) {
    return invalid("base_url is invalid: " + url.error().message);
  }
  auto credentials = provider_credentials(c, env);
  if (!credentials) return invalid(credentials.error().message);
  // The control plane (ListFoundationModels) lives on another host than the runtime.
  std::string probe_base = c.base_url == runtime_endpoint(c.region)
                               ? "https://bedrock." + c.region + ".amazonaws.com"
                               : c.base_url;
  return std::unique_ptr<Provider>(std::make_unique<BedrockProvider>(
      std::move(c), std::move(*credentials), std::move(probe_base), client));
}

BedrockProvider::BedrockProvider(ProviderConfig config, AwsCredentials credentials,
                                 std::string probe_base_url, net::HttpClient& client)
    : config_(std::move(config)),
      credentials_(std::move(credentials)),
      probe_base_url_(std::move(probe_base_url)),
      client_(client) {}

UpstreamResult<net::ClientRequest> BedrockProvider::signed_request(
    const CallContext& ctx, std::string method, const std::string& base_url,
    const std::vector<std::string>& segments, std::string body, std::string_view accept) const {
  auto request = make_client_request(config_, ctx, method, "", std::move(body));
  if (!request) return request;
  request->headers.set("accept", accept);  // before signing: every header sent is signed
  const AwsSigningScope scope{config_.region, std::string(kService), credentials_};
  if (auto signed_ok = sign_aws_request(*request, base_url, segments, {}, scope); !signed_ok) {
    return upstream_error_from(signed_ok.error());
  }
  return request;
}

UpstreamResult<net::ClientRequest> BedrockProvider::build(const ChatRequest& request,
                                                          const CallContext& ctx,
                                                          bool stream) const {
  auto body = build_converse_request(prepare_chat_request(request, config_, stream));
  if (!body) return upstream_error_from(body.error());
  return signed_request(ctx, "POST", config_.base_url,
                        {"model", config_.upstream_model, stream ? "converse-stream" : "converse"},
                        body->dump(),
                        stream ? "application/vnd.amazon.eventstream" : "application/json");
}

net::Task<UpstreamResult<ChatResponse>> BedrockProvider::chat(const ChatRequest& request,
                                                              const CallContext& ctx) const {
  auto built = build(request, ctx, false);
  if (!built) co_return built.error();
  auto response = co_await send_call(client_, std::move(*built), parse_bedrock_error);
  if (!response) co_return response.error();
  auto parsed = parse_converse_response(response->body);
  if (!parsed) co_return upstream_error_from(parsed.error());
  parsed->model = config_.upstream_model;  // Converse does not echo the model
  parsed->id = std::string(response->headers.get("x-amzn-RequestId"));
  co_return std::move(*parsed);
}

net::Task<UpstreamResult<std::unique_ptr<ChatEventReader>>> BedrockProvider::stream(
    const ChatRequest& request, const CallContext& ctx) const {
  auto built = build(request, ctx, true);
  if (!built) co_return built.error();
  auto opened = co_await open_call(client_, std::move(*built), parse_bedrock_error);
  if (!opened) co_return opened.error();
  co_return std::unique_ptr<ChatEventReader>(std::make_unique<ResponseEventReader>(
      std::move(*opened), std::make_unique<ConverseStreamDecoder>(config_.upstream_model),
      "bedrock"));
}

net::Task<Status> BedrockProvider::probe(const CallContext& ctx) const {
  auto built =
      signed_request(ctx, "GET", probe_base_url_, {"foundation-models"}, "", "application/json");
  if (!built) co_return built.error().to_error();
  auto response = co_await send_call(client_, std::move(*built), parse_bedrock_error);
  if (!response) co_return response.error().to_error();
  co_return Status{};
}

}  // namespace osprey::providers::bedrock
