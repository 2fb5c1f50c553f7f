#include "providers/openai/openai_provider.h"

#include <utility>

#include "net/url.h"
#include "providers/line_splitter.h"
#include "providers/line_stream_decoding.h"
#include "providers/openai/openai_stream_parser.h"
#include "providers/openai/openai_upstream_codec.h"
#include "providers/response_event_reader.h"
#include "providers/sse_event_parser.h"
#include "providers/upstream_call.h"

namespace osprey::providers::openai {
namespace {

UpstreamError parse_openai_error(int status, const net::Headers& headers, std::string_view body) {
  return parse_error(status, body, retry_hints(headers));
}

// SSE `data:` payloads into OpenAiStreamParser; `[DONE]` is the end marker.
class OpenAiStreamDecoder final : public StreamDecoder {
 public:
  UpstreamResult<std::vector<StreamEvent>> feed(std::string_view bytes) override {
    return decode_lines(
        splitter_, bytes, parser_,
        [&](std::string_view line) -> std::optional<Result<std::vector<StreamEvent>>> {
          auto sse = sse_.feed_line(line);
          if (!sse) return std::nullopt;
          return parser_.feed(sse->data);
        });
  }
  bool done() const override { return parser_.done(); }
  std::string_view end_marker() const override { return "data: [DONE]"; }

 private:
  LineSplitter splitter_;
  SseEventParser sse_;
  OpenAiStreamParser parser_;
};

}  // namespace

Result<std::unique_ptr<Provider>> OpenAiProvider::create(const ProviderConfig& config,
                                                         net::HttpClient& client) {
  if (config.base_url.empty()) {
    return make_error(ErrorCode::kConfigInvalid, "openai adapter: base_url is required");
  }
  if (auto url = net::parse_url(config.base_url); !url) {
    return make_error(ErrorCode::kConfigInvalid,
                      "openai adapter: base_url is invalid: " + url.error().message);
  }
  if (config.upstream_model.empty()) {
    return make_error(ErrorCode::kConfigInvalid, "openai adapter: model must not be empty");
  }
  return std::unique_ptr<Provider>(std::make_unique<OpenAiProvider>(config, client));
}

OpenAiProvider::OpenAiProvider(ProviderConfig config, net::HttpClient& client)
    : config_(std::move(config)),
      chat_url_(join_url(config_.base_url, "/v1/chat/completions")),
      authorization_(config_.api_key.empty() ? "" : "Bearer " + config_.api_key),
      client_(client) {}

void OpenAiProvider::authorize(net::ClientRequest& request) const {
  if (!authorization_.empty()) request.headers.set("authorization", authorization_);
}

UpstreamResult<net::ClientRequest> OpenAiProvider::build(const ChatRequest& request,
                                                         const CallContext& ctx,
                                                         bool stream) const {
  // What prepare_chat_request would make of `request`, without copying it. OpenAI-compatible
  // servers take vendor knobs (top_k, repetition_penalty, ...) as top-level fields; `extra`
  // never overrides a field the codec sets.
  // Without options (the common case) that merge is a copy of `extra`: skipped.
  const auto no_options = [](const nlohmann::json& options) {
    return !options.is_object() || options.empty();
  };
  nlohmann::json merged;
  if (!no_options(config_.options) || !no_options(request.provider_options)) {
    merged = merge_options(merge_options(config_.options, request.provider_options), request.extra);
  }
  const nlohmann::json& extra = merged.is_null() ? request.extra : merged;
  std::string body = write_chat_request(request, config_.upstream_model, stream, extra);
  auto out = make_client_request(config_, ctx, "POST", chat_url_, std::move(body));
  if (out) {
    authorize(*out);
    if (stream) out->headers.set("accept", "text/event-stream");
  }
  return out;
}

net::Task<UpstreamResult<ChatResponse>> OpenAiProvider::chat(const ChatRequest& request,
                                                             const CallContext& ctx) const {
  auto built = build(request, ctx, false);
  if (!built) co_return built.error();
  auto response = co_await send_call(client_, std::move(*built), parse_openai_error);
  if (!response) co_return response.error();
  auto parsed = parse_chat_response(response->body);
  if (!parsed) co_return upstream_error_from(parsed.error());
  co_return std::move(*parsed);
}

net::Task<UpstreamResult<std::unique_ptr<ChatEventReader>>> OpenAiProvider::stream(
    const ChatRequest& request, const CallContext& ctx) const {
  auto built = build(request, ctx, true);
  if (!built) co_return built.error();
  auto opened = co_await open_call(client_, std::move(*built), parse_openai_error);
  if (!opened) co_return opened.error();
  co_return std::unique_ptr<ChatEventReader>(std::make_unique<ResponseEventReader>(
      std::move(*opened), std::make_unique<OpenAiStreamDecoder>(), "openai"));
}

net::Task<Status> OpenAiProvider::probe(const CallContext& ctx) const {
  auto built =
      make_client_request(config_, ctx, "GET", join_url(config_.base_url, "/v1/models"), "");
  if (!built) co_return built.error().to_error();
  authorize(*built);
  auto response = co_await send_call(client_, std::move(*built), parse_openai_error);
  if (!response) co_return response.error().to_error();
  co_return Status{};
}

}  // namespace osprey::providers::openai
