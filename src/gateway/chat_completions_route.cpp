#include "gateway/chat_completions_route.h"

#include <functional>
#include <memory>
#include <utility>

#include "core/json_parse.h"
#include "core/log.h"
#include "gateway/auth/authenticator.h"
#include "gateway/chat_stream_relay.h"
#include "gateway/validation/prompt_text.h"
#include "providers/openai/openai_request_parser.h"
#include "providers/openai/openai_response_writer.h"

namespace osprey::gateway {
namespace {

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

// The limits stage's end of a stream: the upstream's usage, and the status the client saw
// (200 complete; 499 when it left; 502 when the upstream failed midway).
std::function<void(const StreamOutcome&)> close_on_stream_end(
    std::shared_ptr<RequestAccount> account, std::shared_ptr<net::CancelToken> cancel) {
  return [account = std::move(account), cancel = std::move(cancel)](const StreamOutcome& end) {
    if (end.usage.input_tokens > 0 || end.usage.output_tokens > 0) {
      account->set_usage(end.usage.input_tokens, end.usage.output_tokens);
    }
    const bool gone = cancel && cancel->cancelled();
    account->finish(end.complete ? 200 : gone ? 499 : 502);
  };
}

// At debug level only: who asked what (the logger redacts e-mails, phones and card numbers).
void log_request(const std::string& request_id, const nlohmann::json& body) {
  constexpr std::size_t kPreview = 200;
  const auto text = [&body](const char* key) -> std::string_view {
    const auto it = body.find(key);
    return it != body.end() && it->is_string() ? std::string_view(it->get_ref<const std::string&>())
                                               : std::string_view();
  };
  const auto parts = validation::prompt_text(body);
  const std::string_view last = parts.empty() ? std::string_view() : parts.back().text;
  log::debug("chat_request", {{"request_id", request_id},
                              {"model", text("model")},
                              {"user", text("user")},
                              {"prompt_parts", parts.size()},
                              {"prompt_preview", last.substr(0, kPreview)}});
}

// The common request read without a JSON tree, when validation (if on) is known to pass it.
// Read in place: a ChatRequest is costly to move, and this runs once per request.
std::optional<Result<providers::ChatRequest>> read_plain(
    std::string_view body, const validation::RequestValidator* validator) {
  std::optional<Result<providers::ChatRequest>> parsed(std::in_place, providers::ChatRequest{});
  providers::ChatRequest& plain = parsed->value();
  if (!providers::openai::read_plain_chat_request(body, plain) ||
      (validator != nullptr && !validator->passes_plain_chat(plain))) {
    parsed.reset();
  }
  return parsed;
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
  // The JSON tree is built only for bodies the plain reader does not take (and every error),
  // or for the debug log.
  std::optional<Result<providers::ChatRequest>> parsed =
      read_plain(request.body, stages_.validator);
  if (!parsed || log::enabled(LogLevel::kDebug)) {
    const nlohmann::json body = parse_json(request.body);
    if (body.is_discarded()) {
      metrics_.count(kChatCompletionsPath, false, "error");
      const Error not_json =
          make_error(ErrorCode::kInvalidRequest, "body: " + json_refusal(request.body));
      co_return net::Response::error(not_json, request.request_id);
    }
    // --- validation: JSON Schema and deny rules, before any other stage reads the body (a
    // rejected body costs no rate-limit tokens, budget or ledger row).
    if (!parsed && stages_.validator != nullptr) {
      Status valid = stages_.validator->check(validation::BodyKind::kChatCompletions, body);
      if (!valid.ok()) {
        metrics_.count(kChatCompletionsPath, false, "error");
        co_return net::Response::error(valid.error(), request.request_id);
      }
    }
    if (log::enabled(LogLevel::kDebug)) log_request(request.request_id, body);
    if (!parsed) parsed.emplace(providers::openai::parse_chat_request(body));
  }

  // --- limits: every authenticated request gets one account, closed when its answer is complete
  // (here, or by the stream's end hook): token reconcile, budget settle, one usage-ledger row.
  std::shared_ptr<RequestAccount> account =
      stages_.limits != nullptr ? stages_.limits->open(principal) : nullptr;
  net::Response response = co_await respond(request, principal, std::move(*parsed), account);
  if (account) {
    LimitsStage::add_headers(*account, response.headers);
    // A stream (not a replayed cache hit) is closed by the relay's end hook instead.
    if (!response.stream || account->cache_hit()) account->finish(response.status);
  }
  co_return response;
}

net::Task<net::Response> ChatCompletionsRoute::respond(
    net::Request& request, const Principal& principal, Result<providers::ChatRequest> parsed,
    std::shared_ptr<RequestAccount> account) const {
  // A body that passed validation but not the adapter's parser still gets its ledger row.
  if (!parsed) {
    metrics_.count(kChatCompletionsPath, false, "error");
    co_return net::Response::error(parsed.error(), request.request_id);
  }
  providers::ChatRequest chat = std::move(parsed.value());
  // --- auth: the key's plan names the models it may use.
  if (Status allowed = check_model_allowed(principal, chat.model); !allowed.ok()) {
    metrics_.count(kChatCompletionsPath, chat.stream, "error");
    co_return net::Response::error(allowed.error(), request.request_id);
  }
  const std::string requested = chat.model;
  const bool stream = chat.stream;
  const bool include_usage = chat.include_usage;

  // --- limits: the key's rate limits, then the tenant's budget reservation.
  if (account) {
    std::optional<Error> refused = co_await stages_.limits->admit(*account, chat);
    if (refused) {
      metrics_.count(kChatCompletionsPath, stream, "error");
      co_return net::Response::error(*refused, request.request_id);
    }
  }

  // --- cache lookup: a hit answers here, without admission and without an upstream call.
  CachePlan cache_plan;
  if (stages_.cache != nullptr) {
    cache_plan = stages_.cache->plan(chat, principal, request.header("cache-control"));
    if (std::optional<net::Response> hit = co_await stages_.cache->lookup(cache_plan)) {
      if (account) account->set_cache_hit(true);
      metrics_.count(kChatCompletionsPath, stream, "ok");
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
          kChatCompletionsPath, stream,
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
      metrics_.count(kChatCompletionsPath, false, gone ? "client_closed" : "error");
      co_return net::Response::error(client_error(routed.error()), request.request_id);
    }
    router::RoutedResponse& answer = routed.value();
    answer.response.model = answer.model;  // clients see the public name, not the upstream's
    net::Response response =
        net::Response::json(200, providers::openai::render_chat_response_text(answer.response));
    add_routing_headers(response, requested, answer.model, answer.deployment);
    if (account) {
      account->set_answer(answer.model, answer.deployment);
      account->set_usage(answer.response.usage.input_tokens, answer.response.usage.output_tokens);
    }
    // --- cache store: a complete, successful answer.
    add_cache_header(response, cache_plan);
    if (cache_plan.store) {
      stages_.cache->store(cache_plan, CachedAnswer{.body = response.body,
                                                    .model = answer.model,
                                                    .deployment = answer.deployment});
    }
    metrics_.count(kChatCompletionsPath, false, "ok");
    co_return response;
  }

  // Opened before answering, so a model that cannot answer at all still gets a real HTTP status.
  providers::UpstreamResult<router::RoutedStream> routed =
      co_await router_.stream(std::move(chat), std::move(ctx));
  if (!routed) {
    const bool gone = request.cancel && request.cancel->cancelled();
    metrics_.count(kChatCompletionsPath, true, gone ? "client_closed" : "error");
    co_return net::Response::error(client_error(routed.error()), request.request_id);
  }
  router::RoutedStream& opened = routed.value();
  ChatStreamRelayContext relay_context{.request_id = request.request_id,
                                       .model = opened.model,
                                       .deployment = opened.deployment,
                                       .include_usage = include_usage,
                                       .created = unix_seconds(clock_),
                                       .cancel = request.cancel};
  // --- limits: close the account when the stream ends (usage is known only then).
  if (account) {
    account->set_answer(opened.model, opened.deployment);
    relay_context.on_complete.push_back(close_on_stream_end(account, request.cancel));
  }
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
  // The first event arrived before the stream was handed over: it carries the head.
  response.head_with_first_events = true;
  add_routing_headers(response, requested, opened.model, opened.deployment);
  add_cache_header(response, cache_plan);
  co_return response;
}

}  // namespace osprey::gateway
