#include "providers/anthropic/anthropic_provider.h"

#include <utility>

#include "net/url.h"
#include "providers/anthropic/anthropic_codec.h"
#include "providers/anthropic/anthropic_stream_parser.h"
#include "providers/line_splitter.h"
#include "providers/line_stream_decoding.h"
#include "providers/response_event_reader.h"
#include "providers/sse_event_parser.h"
#include "providers/upstream_call.h"

namespace osprey::providers::anthropic {
namespace {

constexpr std::string_view kDefaultBaseUrl = "https://api.anthropic.com";

UpstreamError parse_anthropic_error(int status, const net::Headers& headers,
                                    std::string_view body) {
  return parse_error(status, body, retry_hints(headers));
}

// SSE events (name + data) into AnthropicStreamParser; message_stop is the end marker.
class AnthropicStreamDecoder final : public StreamDecoder {
 public:
  UpstreamResult<std::vector<StreamEvent>> feed(std::string_view bytes) override {
    return decode_lines(
        splitter_, bytes, parser_,
        [&](std::string_view line) -> std::optional<Result<std::vector<StreamEvent>>> {
          auto sse = sse_.feed_line(line);
          if (!sse) return std::nullopt;
          return parser_.feed(sse->event, sse->data);
        });
  }
  bool done() const override { return parser_.done(); }
  std::string_view end_marker() const override { return "message_stop"; }

 private:
  LineSplitter splitter_;
  SseEventParser sse_;
  AnthropicStreamParser parser_;
};

}  // namespace

Result<std::unique_ptr<Provider>> AnthropicProvider::create(const ProviderConfig& config,
                                                            net::HttpClient& client) {
  ProviderConfig c = config;
  if (c.base_url.empty()) c.base_url = std::string(kDefaultBaseUrl);
  if (auto url = net::parse_url(c.base_url); !url) {
    return make_error(ErrorCode::kConfigInvalid,
                      "anthropic adapter: base_url is invalid: " + url.error().message);
  }
  if (c.api_key.empty()) {
    return make_error(ErrorCode::kConfigInvalid,
                      "anthropic adapter: api_key is required (set api_key_env or api_key_file)");
  }
  if (c.anthropic_version.empty()) {
    return make_error(ErrorCode::kConfigInvalid,
                      "anthropic adapter: anthropic_version must not be empty");
  }
  if (c.upstream_model.empty()) {
    return make_error(ErrorCode::kConfigInvalid, "anthropic adapter: model must not be empty");
  }
  return std::unique_ptr<Provider>(std::make_unique<AnthropicProvider>(std::move(c), client));
}

AnthropicProvider::AnthropicProvider(ProviderConfig config, net::HttpClient& client)
    : config_(std::move(config)),
      messages_url_(join_url(config_.base_url, "/v1/messages")),
      client_(client) {}

void AnthropicProvider::authorize(net::ClientRequest& request) const {
  request.headers.set("x-api-key", config_.api_key);
  request.headers.set("anthropic-version", config_.anthropic_version);
}

UpstreamResult<net::ClientRequest> AnthropicProvider::build(const ChatRequest& request,
                                                            const CallContext& ctx,
                                                            bool stream) const {
  const nlohmann::json body =
      build_messages_request(prepare_chat_request(request, config_, stream));
  auto out = make_client_request(config_, ctx, "POST", messages_url_, body.dump());
  if (out) {
    authorize(*out);
    if (stream) out->headers.set("accept", "text/event-stream");
  }
  return out;
}

net::Task<UpstreamResult<ChatResponse>> AnthropicProvider::chat(const ChatRequest& request,
                                                                const CallContext& ctx) const {
  auto built = build(request, ctx, false);
  if (!built) co_return built.error();
  auto response = co_await send_call(client_, std::move(*built), parse_anthropic_error);
  if (!response) co_return response.error();
  auto parsed = parse_messages_response(response->body);
  if (!parsed) co_return upstream_error_from(parsed.error());
  co_return std::move(*parsed);
}

net::Task<UpstreamResult<std::unique_ptr<ChatEventReader>>> AnthropicProvider::stream(
    const ChatRequest& request, const CallContext& ctx) const {
  auto built = build(request, ctx, true);
  if (!built) co_return built.error();
  auto opened = co_await open_call(client_, std::move(*built), parse_anthropic_error);
  if (!opened) co_return opened.error();
  co_return std::unique_ptr<ChatEventReader>(std::make_unique<ResponseEventReader>(
      std::move(*opened), std::make_unique<AnthropicStreamDecoder>(), "anthropic"));
}

net::Task<Status> AnthropicProvider::probe(const CallContext& ctx) const {
  auto built =
      make_client_request(config_, ctx, "GET", join_url(config_.base_url, "/v1/models"), "");
  if (!built) co_return built.error().to_error();
  authorize(*built);
  auto response = co_await send_call(client_, std::move(*built), parse_anthropic_error);
  if (!response) co_return response.error().to_error();
  co_return Status{};
}

}  // namespace osprey::providers::anthropic
