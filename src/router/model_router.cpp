#include "router/model_router.h"

#include <mutex>
#include <random>
#include <utility>
#include <variant>

#include "core/echoed_name.h"
#include "core/log.h"
#include "router/health_checker.h"
#include "router/model_table.h"
#include "router/request_loop.h"
#include "router/routed_event_reader.h"
#include "router/router_metrics.h"

namespace osprey::router {

struct ModelRouter::Impl {
  Impl(const providers::ProviderRegistry& r, net::HttpClient& c, metrics::Registry& m, Clock& k,
       RouterOptions options)
      : registry(r),
        client(c),
        clock(k),
        metrics(m),
        sleep(options.sleep ? std::move(options.sleep) : SleepFunction(cancellable_sleep)),
        seeds(options.seed ? *options.seed : std::random_device{}()),
        health([this] { return current(); }, k, sleep) {}

  std::shared_ptr<const ModelTable> current() const {
    std::lock_guard<std::mutex> lock(table_mu);
    return table;
  }

  std::uint64_t next_seed() {
    std::lock_guard<std::mutex> lock(seeds_mu);
    return seeds();
  }

  // Keeps the gauges that are cheaper to read than to maintain (outstanding, health, breaker)
  // true at scrape time.
  void refresh_gauges() const {
    std::shared_ptr<const ModelTable> t = current();
    if (!t) return;
    for (const auto& d : t->all_deployments()) {
      d->metrics().outstanding.set(static_cast<double>(d->state().outstanding()));
      d->metrics().healthy.set(d->state().healthy() ? 1 : 0);
      d->metrics().circuit_state.set(circuit_state_value(d->state().breaker().state()));
    }
  }

  const providers::ProviderRegistry& registry;
  net::HttpClient& client;
  Clock& clock;
  RouterMetrics metrics;
  const SleepFunction sleep;
  std::mutex load_mu;  // serializes load(): each build starts from the table the last one left
  mutable std::mutex table_mu;              // guards `table`
  std::shared_ptr<const ModelTable> table;  // null until the first successful load()
  std::mutex seeds_mu;                      // guards `seeds`
  Rng seeds;                                // seeds one generator per request
  HealthChecker health;
};

namespace {

providers::UpstreamError not_found(const std::string& model) {
  providers::UpstreamError e;
  e.code = ErrorCode::kNotFound;
  e.message = "model '" + echoed_name(model) + "' does not exist";
  return e;
}

void count_tokens(const Deployment& d, const providers::Usage& usage) {
  if (usage.input_tokens > 0) d.metrics().tokens_in.inc(static_cast<double>(usage.input_tokens));
  if (usage.output_tokens > 0) {
    d.metrics().tokens_out.inc(static_cast<double>(usage.output_tokens));
  }
}

}  // namespace

ModelRouter::ModelRouter(const providers::ProviderRegistry& registry, net::HttpClient& client,
                         metrics::Registry& metrics, Clock& clock)
    : ModelRouter(registry, client, metrics, clock, RouterOptions{}) {}

ModelRouter::ModelRouter(const providers::ProviderRegistry& registry, net::HttpClient& client,
                         metrics::Registry& metrics, Clock& clock, RouterOptions options)
    : impl_(std::make_shared<Impl>(registry, client, metrics, clock, std::move(options))) {
  metrics.add_collector([weak = std::weak_ptr<Impl>(impl_)] {
    if (auto impl = weak.lock()) impl->refresh_gauges();
  });
}

ModelRouter::~ModelRouter() { impl_->health.stop(); }

Status ModelRouter::load(const RouterConfig& config) {
  std::lock_guard<std::mutex> serialize(impl_->load_mu);
  std::shared_ptr<const ModelTable> previous = impl_->current();
  auto built = ModelTable::build(config, previous.get(), impl_->registry, impl_->client,
                                 impl_->clock, impl_->metrics);
  if (!built.ok()) {
    log::warn("router_load_failed", {{"error", built.error().message}});
    return built.error();
  }
  std::size_t kept = 0;
  for (const auto& d : (*built)->all_deployments()) {
    if (previous && previous->deployment(d->id()) == d) ++kept;
  }
  {
    std::lock_guard<std::mutex> lock(impl_->table_mu);
    impl_->table = *built;
  }
  for (const auto& d : (*built)->all_deployments()) {
    if (!d->config().provider.verify_tls) {
      log::warn("tls_verification_disabled", {{"model", d->model()}, {"deployment", d->id()}});
    }
  }
  log::info("router_loaded", {{"models", (*built)->names().size()},
                              {"deployments", (*built)->all_deployments().size()},
                              {"deployments_kept", kept}});
  return {};
}

net::Task<providers::UpstreamResult<RoutedResponse>> ModelRouter::chat(
    providers::ChatRequest request, providers::CallContext ctx) {
  std::shared_ptr<Impl> impl = impl_;  // the router may be destroyed while we wait
  std::shared_ptr<const ModelTable> table = impl->current();
  if (!table || table->find(request.model) == nullptr) co_return not_found(request.model);
  Rng rng(impl->next_seed());
  std::optional<RoutedResponse> answer;
  AttemptFn attempt =
      [&](const std::shared_ptr<Deployment>& d, Selection&,
          const providers::CallContext& c) -> net::Task<std::optional<providers::UpstreamError>> {
    providers::UpstreamResult<providers::ChatResponse> r = co_await d->provider().chat(request, c);
    if (!r.ok()) co_return r.error();
    count_tokens(*d, r->usage);
    answer.emplace();
    answer->response = std::move(*r);
    co_return std::nullopt;
  };
  LoopOutcome out = co_await run_request_loop(
      table, request.model, ctx, LoopEnv{impl->clock, impl->metrics, impl->sleep, rng, true},
      attempt);
  if (out.error) co_return std::move(*out.error);
  answer->model = std::move(out.model);
  answer->deployment = std::move(out.deployment);
  answer->attempts = out.attempts;
  co_return std::move(*answer);
}

net::Task<providers::UpstreamResult<RoutedStream>> ModelRouter::stream(
    providers::ChatRequest request, providers::CallContext ctx) {
  std::shared_ptr<Impl> impl = impl_;
  std::shared_ptr<const ModelTable> table = impl->current();
  if (!table || table->find(request.model) == nullptr) co_return not_found(request.model);
  Rng rng(impl->next_seed());
  std::optional<RoutedStream> answer;
  const Clock& clock = impl->clock;
  AttemptFn attempt =
      [&](const std::shared_ptr<Deployment>& d, Selection& selection,
          const providers::CallContext& c) -> net::Task<std::optional<providers::UpstreamError>> {
    const auto started = clock.now();
    auto opened = co_await d->provider().stream(request, c);
    if (!opened.ok()) co_return opened.error();
    if (*opened == nullptr) {
      providers::UpstreamError e;
      e.code = ErrorCode::kInternal;
      e.message = "provider returned no stream";
      co_return e;
    }
    // The attempt succeeds only once the first event is in hand: until then nothing has reached
    // the caller and another deployment can still take over.
    auto first = co_await (*opened)->next();
    if (!first.ok()) co_return first.error();
    d->metrics().ttft.observe(std::chrono::duration<double>(clock.now() - started).count());
    answer.emplace();
    answer->events = std::make_unique<RoutedEventReader>(std::move(*opened), std::move(*first), d,
                                                         std::move(selection.outstanding),
                                                         c.request_id, clock, started);
    co_return std::nullopt;
  };
  LoopOutcome out = co_await run_request_loop(
      table, request.model, ctx, LoopEnv{impl->clock, impl->metrics, impl->sleep, rng, false},
      attempt);
  if (out.error) co_return std::move(*out.error);
  answer->model = std::move(out.model);
  answer->deployment = std::move(out.deployment);
  answer->attempts = out.attempts;
  co_return std::move(*answer);
}

std::vector<ModelInfo> ModelRouter::models() const {
  std::vector<ModelInfo> out;
  std::shared_ptr<const ModelTable> table = impl_->current();
  if (!table) return out;
  for (const std::string& name : table->names()) {
    ModelInfo info;
    info.name = name;
    for (const auto& d : table->find(name)->deployments) info.deployments.push_back(d->id());
    out.push_back(std::move(info));
  }
  return out;
}

net::Task<void> ModelRouter::run_health_checks() {
  std::shared_ptr<Impl> impl = impl_;
  co_await impl->health.run();
}

void ModelRouter::stop() { impl_->health.stop(); }

}  // namespace osprey::router
