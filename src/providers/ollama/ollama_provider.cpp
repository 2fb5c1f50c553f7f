#include "providers/ollama/ollama_provider.h"

#include <utility>

#include "net/url.h"
#include "providers/line_splitter.h"
#include "providers/line_stream_decoding.h"
#include "providers/ollama/ollama_codec.h"
#include "providers/ollama/ollama_stream_parser.h"
#include "providers/response_event_reader.h"
#include "providers/upstream_call.h"

namespace osprey::providers::ollama {
namespace {

UpstreamError parse_ollama_error(int status, const net::Headers& headers, std::string_view body) {
  return parse_error(status, body, retry_hints(headers));
}

// NDJSON lines into OllamaStreamParser; the line with "done": true is the end marker.
class OllamaStreamDecoder final : public StreamDecoder {
 public:
  UpstreamResult<std::vector<StreamEvent>> feed(std::string_view bytes) override {
    return decode_lines(
        splitter_, bytes, parser_,
        [&](std::string_view line) -> std::optional<Result<std::vector<StreamEvent>>> {
          return parser_.feed(line);
        });
  }
  bool done() const override { return parser_.done(); }
  std::string_view end_marker() const override { return "the \"done\": true line"; }

 private:
  LineSplitter splitter_;
  OllamaStreamParser parser_;
};

}  // namespace

Result<std::unique_ptr<Provider>> OllamaProvider::create(const ProviderConfig& config,
                                                         net::HttpClient& client) {
  if (config.base_url.empty()) {
    return make_error(ErrorCode::kConfigInvalid, "ollama adapter: base_url is required");
  }
  if (auto url = net::parse_url(config.base_url); !url) {
    return make_error(ErrorCode::kConfigInvalid,
                      "ollama adapter: base_url is invalid: " + url.error().message);
  }
  if (config.upstream_model.empty()) {
    return make_error(ErrorCode::kConfigInvalid, "ollama adapter: model must not be empty");
  }
  return std::unique_ptr<Provider>(std::make_unique<OllamaProvider>(config, client));
}

OllamaProvider::OllamaProvider(ProviderConfig config, net::HttpClient& client)
    : config_(std::move(config)),
      chat_url_(join_url(config_.base_url, "/api/chat")),
      client_(client) {}

UpstreamResult<net::ClientRequest> OllamaProvider::build(const ChatRequest& request,
                                                         const CallContext& ctx,
                                                         bool stream) const {
  auto body = build_chat_request(prepare_chat_request(request, config_, stream));
  if (!body) return upstream_error_from(body.error());
  auto out = make_client_request(config_, ctx, "POST", chat_url_, body->dump());
  if (out && stream) out->headers.set("accept", "application/x-ndjson");
  return out;
}

net::Task<UpstreamResult<ChatResponse>> OllamaProvider::chat(const ChatRequest& request,
                                                             const CallContext& ctx) const {
  auto built = build(request, ctx, false);
  if (!built) co_return built.error();
  auto response = co_await send_call(client_, std::move(*built), parse_ollama_error);
  if (!response) co_return response.error();
  auto parsed = parse_chat_response(response->body);
  if (!parsed) co_return upstream_error_from(parsed.error());
  co_return std::move(*parsed);
}

net::Task<UpstreamResult<std::unique_ptr<ChatEventReader>>> OllamaProvider::stream(
    const ChatRequest& request, const CallContext& ctx) const {
  auto built = build(request, ctx, true);
  if (!built) co_return built.error();
  auto opened = co_await open_call(client_, std::move(*built), parse_ollama_error);
  if (!opened) co_return opened.error();
  co_return std::unique_ptr<ChatEventReader>(std::make_unique<ResponseEventReader>(
      std::move(*opened), std::make_unique<OllamaStreamDecoder>(), "ollama"));
}

net::Task<Status> OllamaProvider::probe(const CallContext& ctx) const {
  auto built =
      make_client_request(config_, ctx, "GET", join_url(config_.base_url, "/api/tags"), "");
  if (!built) co_return built.error().to_error();
  auto response = co_await send_call(client_, std::move(*built), parse_ollama_error);
  if (!response) co_return response.error().to_error();
  auto tags = parse_tags(response->body);
  if (!tags) co_return tags.error();
  co_return Status{};
}

}  // namespace osprey::providers::ollama
