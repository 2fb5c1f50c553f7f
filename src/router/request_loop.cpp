#include "router/request_loop.h"

#include <algorithm>
#include <exception>
#include <utility>
#include <vector>

#include "core/echoed_name.h"
#include "core/log.h"
#include "core/retry_policy.h"
#include "router/failure_kind.h"

namespace osprey::router {
namespace {

using std::chrono::milliseconds;
using Clock_tp = std::chrono::steady_clock::time_point;

providers::UpstreamError router_error(ErrorCode code, std::string message) {
  providers::UpstreamError e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

providers::UpstreamError cancelled_error() {
  return router_error(ErrorCode::kClientClosed, "the client closed the request");
}

bool is_cancelled(const providers::CallContext& ctx) {
  return ctx.cancel && ctx.cancel->cancelled();
}

double seconds_between(Clock_tp from, Clock_tp to) {
  return std::chrono::duration<double>(to - from).count();
}

milliseconds millis_between(Clock_tp from, Clock_tp to) {
  return std::chrono::duration_cast<milliseconds>(to - from);
}

// Picks a deployment of `entry` that has capacity, preferring ones that have not failed this
// request (`failed`), never choosing a faulty one (`faulty`), and choosing one that timed out in
// this request (`timed_out`) only when nothing else is left: each such retry costs a full timeout.
Selection choose(const ModelEntry& entry, const std::vector<const DeploymentState*>& failed,
                 const std::vector<const DeploymentState*>& faulty,
                 const std::vector<const DeploymentState*>& timed_out, Rng& rng,
                 HealthMode health) {
  std::vector<DeploymentState*> candidates;
  std::vector<const Deployment*> owners;
  for (const auto& d : entry.deployments) {
    if (std::find(faulty.begin(), faulty.end(), &d->state()) != faulty.end()) continue;
    if (!d->has_capacity()) continue;  // a full deployment counts as unavailable
    candidates.push_back(&d->state());
    owners.push_back(d.get());
  }
  const auto slow = [&](const DeploymentState* c) {
    return std::find(timed_out.begin(), timed_out.end(), c) != timed_out.end();
  };
  if (!std::all_of(candidates.begin(), candidates.end(), slow)) {
    for (std::size_t i = candidates.size(); i-- > 0;) {
      if (!slow(candidates[i])) continue;
      candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(i));
      owners.erase(owners.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  // Capacity is checked before the pick, so two requests can race for the last slot; the loser
  // drops its selection and picks again without that deployment.
  while (!candidates.empty()) {
    Selection s = select(candidates, rng, failed, ExclusionMode::kPrefer, health);
    if (!s) return s;
    auto pos = std::find(candidates.begin(), candidates.end(), s.deployment) - candidates.begin();
    if (s.deployment->outstanding() <= owners[pos]->max_concurrent()) return s;
    candidates.erase(candidates.begin() + pos);
    owners.erase(owners.begin() + pos);
  }
  return Selection{};
}

// Panic mode (like Envoy's panic threshold): health checks marked every deployment of `entry`
// unhealthy (a broken probe endpoint can do that while completions work), and no model after it
// in `chain` has a deployment that can take the call. Open breakers never trigger it: they come
// from real request failures.
bool should_panic(const ModelTable& table, const ModelEntry& entry,
                  const std::vector<std::string>& chain, std::size_t position) {
  if (!entry.config.panic) return false;
  for (const auto& d : entry.deployments) {
    if (d->state().healthy()) return false;
  }
  for (std::size_t m = position + 1; m < chain.size(); ++m) {
    const ModelEntry* later = table.find(chain[m]);
    if (later == nullptr) continue;
    for (const auto& d : later->deployments) {
      if (d->state().available() && d->has_capacity()) return false;
    }
  }
  return true;
}

const std::shared_ptr<Deployment>& owner_of(const ModelEntry& entry, const DeploymentState* s) {
  for (const auto& d : entry.deployments) {
    if (&d->state() == s) return d;
  }
  return entry.deployments.front();  // unreachable: the selection came from this entry
}

net::Task<std::optional<providers::UpstreamError>> guarded_attempt(
    const AttemptFn& attempt, const std::shared_ptr<Deployment>& d, Selection& selection,
    const providers::CallContext& ctx) {
  // Exceptions never cross a module boundary: a throwing provider is a failed attempt.
  try {
    co_return co_await attempt(d, selection, ctx);
  } catch (const std::exception& e) {
    log::error("provider_threw",
               {{"request_id", ctx.request_id}, {"deployment", d->id()}, {"error", e.what()}});
    co_return router_error(ErrorCode::kInternal, std::string("provider failed: ") + e.what());
  }
}

// Records the failed attempt on the deployment's breaker; logs the breaker opening with the
// request that tipped it.
void record_failure(Selection& s, const Deployment& d, const providers::CallContext& ctx,
                    const providers::UpstreamError& error) {
  const CircuitState before = d.state().breaker().state();
  s.permit.failure();
  if (before != CircuitState::kOpen && d.state().breaker().state() == CircuitState::kOpen) {
    d.metrics().circuit_state.set(circuit_state_value(CircuitState::kOpen));
    log::warn("circuit_opened", {{"request_id", ctx.request_id},
                                 {"model", d.model()},
                                 {"deployment", d.id()},
                                 {"reason", code_name(error.code)},
                                 {"open_ms", d.state().breaker().open_duration().count()}});
  }
}

}  // namespace

net::Task<LoopOutcome> run_request_loop(std::shared_ptr<const ModelTable> table,
                                        const std::string& model, const providers::CallContext& ctx,
                                        LoopEnv env, const AttemptFn& attempt) {
  LoopOutcome out;
  const ModelEntry* requested = table->find(model);
  if (requested == nullptr) {
    out.error =
        router_error(ErrorCode::kNotFound, "model '" + echoed_name(model) + "' does not exist");
    co_return out;
  }
  // One deadline for the whole request, fallbacks included: the requested model's, or the
  // caller's if that is sooner.
  const Clock_tp start = env.clock.now();
  Clock_tp deadline = start + requested->config.retry.total_deadline;
  if (ctx.deadline && *ctx.deadline < deadline) deadline = *ctx.deadline;
  providers::CallContext attempt_ctx = ctx;
  attempt_ctx.deadline = deadline;

  std::vector<std::string> chain{model};
  chain.insert(chain.end(), requested->config.fallbacks.begin(), requested->config.fallbacks.end());
  std::string leave_reason;
  for (std::size_t m = 0; m < chain.size(); ++m) {
    const ModelEntry* entry = table->find(chain[m]);
    if (entry == nullptr) continue;  // validated at load; defensive
    if (m > 0) {
      env.metrics.fallbacks.with({chain[m - 1], chain[m]}).inc();
      log::warn("fallback", {{"request_id", ctx.request_id},
                             {"model", chain[m - 1]},
                             {"to", chain[m]},
                             {"reason", leave_reason}});
    }
    RetryPolicy policy;
    policy.max_attempts = entry->config.retry.max_attempts;
    policy.base_delay = entry->config.retry.base_delay;
    policy.max_delay = entry->config.retry.max_delay;
    policy.total_deadline = millis_between(start, deadline);

    std::vector<const DeploymentState*> failed;
    std::vector<const DeploymentState*> faulty;
    std::vector<const DeploymentState*> timed_out;
    int attempts_here = 0;
    HealthMode health = HealthMode::kRespect;
    leave_reason = "attempts_exhausted";
    while (true) {
      if (is_cancelled(ctx)) {
        out.error = cancelled_error();
        co_return out;
      }
      if (env.clock.now() >= deadline) {
        if (!out.error) {
          out.error = router_error(ErrorCode::kUpstreamTimeout,
                                   "request deadline passed before an upstream answered");
        }
        co_return out;
      }
      Selection selection = choose(*entry, failed, faulty, timed_out, env.rng, health);
      if (!selection && health == HealthMode::kRespect && should_panic(*table, *entry, chain, m)) {
        selection = choose(*entry, failed, faulty, timed_out, env.rng, HealthMode::kIgnore);
        if (selection) {  // the rest of this model's attempts ignore health too
          health = HealthMode::kIgnore;
          env.metrics.panics.with({entry->config.name}).inc();
          log::warn("router_panic", {{"request_id", ctx.request_id},
                                     {"model", entry->config.name},
                                     {"reason", "all_deployments_unhealthy"}});
        }
      }
      if (!selection) {
        leave_reason = "no_available_deployment";
        log::warn("no_available_deployment",
                  {{"request_id", ctx.request_id}, {"model", entry->config.name}});
        break;
      }
      const std::shared_ptr<Deployment>& d = owner_of(*entry, selection.deployment);
      ++attempts_here;
      ++out.attempts;
      const Clock_tp attempt_start = env.clock.now();
      std::optional<providers::UpstreamError> error =
          co_await guarded_attempt(attempt, d, selection, attempt_ctx);
      const double took = seconds_between(attempt_start, env.clock.now());
      if (!error) {
        selection.permit.success();
        if (env.count_success) {
          env.metrics.requests.with({d->model(), d->id(), "success"}).inc();
          d->metrics().duration.observe(took);
        }
        out.error.reset();  // earlier failed attempts no longer matter
        out.model = d->model();
        out.deployment = d->id();
        co_return out;
      }

      const FailureKind kind = classify(*error, ctx);
      env.metrics.requests.with({d->model(), d->id(), outcome_label(kind)}).inc();
      env.metrics.errors.with({d->model(), d->id(), code_name(error->code)}).inc();
      d->metrics().duration.observe(took);
      if (kind == FailureKind::kCancelled) {
        out.error = cancelled_error();  // the permit is dropped without an outcome
        co_return out;
      }
      if (kind == FailureKind::kInvalidRequest) {
        selection.permit.success();  // the upstream is fine; the request is not
        out.error = std::move(error);
        co_return out;
      }
      record_failure(selection, *d, ctx, *error);
      failed.push_back(&d->state());
      if (error->code == ErrorCode::kUpstreamTimeout) timed_out.push_back(&d->state());
      selection = Selection{};  // no longer in flight while we wait

      std::optional<milliseconds> delay;
      std::string_view reason = code_name(error->code);
      if (kind == FailureKind::kDeploymentFault) {
        faulty.push_back(&d->state());
        if (attempts_here < policy.max_attempts) delay = milliseconds(0);
        reason = "deployment_fault";
      } else {
        delay = next_retry_delay(policy, attempts_here, millis_between(start, env.clock.now()),
                                 error->retry_after, env.rng);
      }
      log::warn("upstream_attempt_failed",
                {{"request_id", ctx.request_id},
                 {"model", d->model()},
                 {"deployment", d->id()},
                 {"reason", code_name(error->code)},
                 {"http_status", error->http_status},
                 {"message", error->message},
                 {"attempt", attempts_here},
                 {"retry", delay.has_value()},
                 {"delay_ms", delay ? delay->count() : std::int64_t{-1}}});
      out.error = std::move(error);
      if (!delay) break;
      env.metrics.retries.with({entry->config.name, reason}).inc();
      if (delay->count() > 0) {
        co_await env.sleep(*delay, ctx.cancel);
      }
    }
  }
  if (!out.error) {
    out.error = router_error(ErrorCode::kNoHealthyUpstream,
                             "no healthy deployment available for model '" + model + "'" +
                                 (chain.size() > 1 ? " or its fallbacks" : ""));
  }
  co_return out;
}

}  // namespace osprey::router
