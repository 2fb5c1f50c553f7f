#include "app/router_chat_caller.h"

#include <charconv>
#include <condition_variable>
#include <optional>
#include <utility>

#include "app/job_principal.h"
#include "gateway/auth/authenticator.h"
#include "net/cancel_token.h"
#include "net/request_id.h"

namespace osprey::app {

struct RouterChatCaller::Pending {
  std::mutex mu;
  std::condition_variable done;
  std::optional<jobs::ChatCallResult> result;  // guarded by mu; the first completion wins
  std::shared_ptr<net::CancelToken> cancel = std::make_shared<net::CancelToken>();

  void complete(jobs::ChatCallResult r) {
    {
      std::lock_guard lock(mu);
      if (result) return;
      result.emplace(std::move(r));
    }
    done.notify_all();
  }
};

namespace {

using Pending = RouterChatCaller::Pending;

providers::UpstreamError call_error(ErrorCode code, std::string message) {
  return providers::UpstreamError{.code = code, .message = std::move(message)};
}

// A frame destroyed before it answered (its io_context went away, or it threw) still ends the
// call, so the engine thread waiting for it never hangs.
struct AnswerGuard {
  std::shared_ptr<Pending> pending;
  ~AnswerGuard() {
    pending->complete(call_error(ErrorCode::kUnavailable, "shutting down: the call was abandoned"));
  }
};

// The limits stage's Retry-After on a refusal (whole seconds), as the engine's retry hint.
std::optional<std::chrono::milliseconds> retry_after_of(const gateway::RequestAccount& account) {
  for (const auto& [name, value] : account.hold().headers) {
    if (name != "retry-after") continue;
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && seconds >= 0) return std::chrono::seconds(seconds);
  }
  return std::nullopt;
}

net::Task<void> answer(std::shared_ptr<Pending> pending, RouterChatCallerDeps deps,
                       gateway::Principal principal, providers::ChatRequest request,
                       providers::CallContext ctx) {
  AnswerGuard guard{pending};
  const auto started = deps.clock.now();
  const std::string request_id = ctx.request_id;
  std::shared_ptr<gateway::RequestAccount> account =
      deps.limits != nullptr ? deps.limits->open(principal) : nullptr;
  if (account) {
    std::optional<Error> refused = co_await deps.limits->admit(*account, request);
    if (refused) {
      providers::UpstreamError error = call_error(refused->code, refused->message);
      error.retry_after = retry_after_of(*account);
      account->finish(http_status(refused->code));
      pending->complete(std::move(error));
      co_return;
    }
  }
  providers::UpstreamResult<router::RoutedResponse> routed =
      co_await deps.router.chat(std::move(request), std::move(ctx));
  if (!routed) {
    if (account) account->finish(http_status(routed.error().code));
    pending->complete(routed.error());
    co_return;
  }
  router::RoutedResponse& routed_answer = routed.value();
  jobs::ChatCallReply reply;
  reply.response = std::move(routed_answer.response);
  reply.response.model = routed_answer.model;  // the public name, as clients see it
  reply.deployment = routed_answer.deployment;
  reply.request_id = request_id;
  const providers::Usage usage = reply.response.usage;
  if (deps.limits != nullptr) {
    reply.cost_micros =
        deps.limits->cost_micros(routed_answer.model, usage.input_tokens, usage.output_tokens);
  }
  if (account) {
    account->set_answer(routed_answer.model, routed_answer.deployment);
    account->set_usage(usage.input_tokens, usage.output_tokens);
    account->finish(200);
  }
  reply.latency = std::chrono::duration_cast<std::chrono::milliseconds>(deps.clock.now() - started);
  pending->complete(std::move(reply));
}

}  // namespace

RouterChatCaller::RouterChatCaller(RouterChatCallerDeps deps) : deps_(std::move(deps)) {}

RouterChatCaller::~RouterChatCaller() { close(); }

void RouterChatCaller::attach(TaskSpawner spawner) {
  std::lock_guard lock(mu_);
  spawner_ = std::move(spawner);
}

void RouterChatCaller::close() {
  std::set<std::shared_ptr<Pending>> waiting;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    waiting = pending_;
  }
  for (const auto& p : waiting) {
    p->complete(call_error(ErrorCode::kUnavailable, "shutting down"));
  }
}

jobs::ChatCallResult RouterChatCaller::call(const jobs::ChatCall& call) const {
  Result<gateway::Principal> principal =
      job_principal(deps_.store, call.tenant_id, call.key_id, deps_.clock.wall_now());
  if (!principal) return call_error(principal.error().code, principal.error().message);
  if (Status allowed = gateway::check_model_allowed(principal.value(), call.request.model);
      !allowed.ok()) {
    return call_error(allowed.error().code, allowed.error().message);
  }

  auto pending = std::make_shared<Pending>();
  TaskSpawner spawner;
  {
    std::lock_guard lock(mu_);
    if (closed_) return call_error(ErrorCode::kUnavailable, "shutting down");
    if (!spawner_) return call_error(ErrorCode::kUnavailable, "model calls are not running yet");
    spawner = spawner_;
    pending_.insert(pending);
  }
  const auto now = deps_.clock.now();
  const auto deadline = call.deadline == std::chrono::steady_clock::time_point::max()
                            ? now + deps_.default_timeout
                            : call.deadline;
  providers::CallContext ctx;
  ctx.request_id = net::generate_request_id();
  ctx.cancel = pending->cancel;
  ctx.deadline = deadline;
  providers::ChatRequest request = call.request;
  request.stream = false;
  spawner([pending, deps = deps_, who = std::move(principal.value()), request = std::move(request),
           ctx]() mutable {
    return answer(pending, deps, std::move(who), std::move(request), std::move(ctx));
  });

  // The router ends the call at the deadline; the grace only covers a router that does not.
  constexpr auto kGrace = std::chrono::seconds(30);
  const auto wait = std::max(deadline - now, std::chrono::steady_clock::duration::zero()) + kGrace;
  {
    std::unique_lock lock(pending->mu);
    if (!pending->done.wait_for(lock, wait, [&] { return pending->result.has_value(); })) {
      lock.unlock();
      pending->cancel->cancel();
      pending->complete(call_error(ErrorCode::kUpstreamTimeout, "no answer before the deadline"));
    }
  }
  {
    std::lock_guard lock(mu_);
    pending_.erase(pending);
  }
  std::lock_guard lock(pending->mu);
  return std::move(*pending->result);
}

}  // namespace osprey::app
