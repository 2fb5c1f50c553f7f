#include "gateway/chat_completions_route.h"

#include <memory>
#include <utility>

#include "core/log.h"
#include "gateway/chat_stream_relay.h"
#include "providers/openai/openai_request_parser.h"
#include "providers/openai/openai_response_writer.h"

namespace osprey::gateway {
namespace {

constexpr std::string_view kRoute = "/v1/chat/completions";

// The router's not_found means the model name is unknown; say so in OpenAI's own words.
Error client_error(const providers::UpstreamError& upstream) {
  Error error = upstream.to_error();
  if (error.code == ErrorCode::kNotFound) error.message = "model_not_found: " + error.message;
  return error;
}

void add_routing_headers(net::Response& response, const std::string& requested,
                         const std::string& answered, const std::string& deployment) {
  response.headers.set("x-osprey-deployment", deployment);
  if (answered != requested) response.headers.set("x-osprey-model", answered);
}

void add_cache_header(net::Response& response, const CachePlan& plan) {
  if (const std::string_view value = plan.miss_header(); !value.empty()) {
    response.headers.set("x-osprey-cache", value);
  }
}

std::int64_t unix_seconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.wall_now().time_since_epoch())
      .count();
}

}  // namespace

ChatCompletionsRoute::ChatCompletionsRoute(router::ModelRouter& router, GatewayMetrics& metrics,
                                           const Clock& clock, GatewayOptions options,
                                           ChatStages stages)
    : router_(router), metrics_(metrics), clock_(clock), options_(options), stages_(stages) {}

net::Task<net::Response> ChatCompletionsRoute::handle(net::Request& request,
                                                      const Principal& principal) const {
  Result<providers::ChatRequest> parsed = providers::openai::parse_chat_request_text(request.body);
  if (!parsed) {
    metrics_.count(kRoute, false, "error");
    co_return net::Response::error(parsed.error(), request.request_id);
  }
  providers::ChatRequest chat = std::move(parsed.value());
  const std::string requested = chat.model;
  const bool stream = chat.stream;
  const bool include_usage = chat.include_usage;

  // --- cache lookup: a hit answers here, without admission and without an upstream call.
  CachePlan cache_plan;
  if (stages_.cache != nullptr) {
    cache_plan = stages_.cache->plan(chat, principal, request.header("cache-control"));
    if (std::optional<net::Response> hit = co_await stages_.cache->lookup(cache_plan)) {
      metrics_.count(kRoute, stream, "ok");
      co_return std::move(*hit);
    }
  }
  // --- admission: a slot of the model, held until the answer is complete (streams included).
  auto permit = std::make_shared<AdmissionPermit>();
  if (stages_.admission != nullptr) {
    std::string model = chat.model;
    std::shared_ptr<net::CancelToken> cancel = request.cancel;
    const PriorityClass priority = principal.plan.priority;
    Result<AdmissionPermit, AdmissionRejection> admitted =
        co_await stages_.admission->admit(std::move(model), priority, std::move(cancel));
    if (!admitted) {
      metrics_.count(
          kRoute, stream,
          admitted.error().error.code == ErrorCode::kClientClosed ? "client_closed" : "error");
      co_return admission_rejection_response(admitted.error(), request.request_id);
    }
    *permit = std::move(admitted.value());
  }

  providers::CallContext ctx;
  ctx.request_id = request.request_id;
  ctx.cancel = request.cancel;
  ctx.deadline = clock_.now() + options_.request_timeout;

  if (!stream) {
    providers::UpstreamResult<router::RoutedResponse> routed =
        co_await router_.chat(std::move(chat), std::move(ctx));
    if (!routed) {
      const bool gone = request.cancel && request.cancel->cancelled();
      metrics_.count(kRoute, false, gone ? "client_closed" : "error");
      co_return net::Response::error(client_error(routed.error()), request.request_id);
    }
    router::RoutedResponse& answer = routed.value();
    answer.response.model = answer.model;  // clients see the public name, not the upstream's
    net::Response response =
        net::Response::json(200, providers::openai::render_chat_response(answer.response).dump());
    add_routing_headers(response, requested, answer.model, answer.deployment);
    // --- cache store: a complete, successful answer.
    add_cache_header(response, cache_plan);
    if (cache_plan.store) {
      stages_.cache->store(cache_plan, CachedAnswer{.body = response.body,
                                                    .model = answer.model,
                                                    .deployment = answer.deployment});
    }
    metrics_.count(kRoute, false, "ok");
    co_return response;
  }

  // Opened before answering, so a model that cannot answer at all still gets a real HTTP status.
  providers::UpstreamResult<router::RoutedStream> routed =
      co_await router_.stream(std::move(chat), std::move(ctx));
  if (!routed) {
    const bool gone = request.cancel && request.cancel->cancelled();
    metrics_.count(kRoute, true, gone ? "client_closed" : "error");
    co_return net::Response::error(client_error(routed.error()), request.request_id);
  }
  router::RoutedStream& opened = routed.value();
  ChatStreamRelayContext relay_context{.request_id = request.request_id,
                                       .model = opened.model,
                                       .deployment = opened.deployment,
                                       .include_usage = include_usage,
                                       .created = unix_seconds(clock_),
                                       .cancel = request.cancel};
  // --- cache store: the events of a stream that reached [DONE], from the relay's end hook.
  if (cache_plan.store) {
    relay_context.record_events = true;
    relay_context.on_complete.push_back([cache = stages_.cache, plan = cache_plan,
                                         model = opened.model,
                                         deployment = opened.deployment](const StreamOutcome& end) {
      if (!end.complete || end.events == nullptr) return;
      cache->store(
          plan,
          CachedAnswer{
              .stream = true, .events = *end.events, .model = model, .deployment = deployment});
    });
  }
  auto relay = std::make_shared<ChatStreamRelay>(std::move(opened.events), std::move(relay_context),
                                                 metrics_);
  // A lambda coroutine's captures live in the lambda object, not in the coroutine frame: copy
  // `relay` into the frame so the stream does not depend on the std::function's lifetime.
  // The admission permit too: the slot is held until the stream ends.
  net::Response response =
      net::Response::sse([relay, permit](net::EventStream& out) -> net::Task<void> {
        std::shared_ptr<ChatStreamRelay> keep = relay;
        std::shared_ptr<AdmissionPermit> hold = permit;
        co_await keep->run(out);
      });
  add_routing_headers(response, requested, opened.model, opened.deployment);
  add_cache_header(response, cache_plan);
  co_return response;
}

}  // namespace osprey::gateway
