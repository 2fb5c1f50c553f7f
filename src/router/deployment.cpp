#include "router/deployment.h"

#include <utility>

#include "core/log.h"

namespace osprey::router {
namespace {

bool same_provider(const providers::ProviderConfig& a, const providers::ProviderConfig& b) {
  return a.adapter == b.adapter && a.base_url == b.base_url &&
         a.upstream_model == b.upstream_model && a.api_key == b.api_key && a.headers == b.headers &&
         a.region == b.region && a.aws_access_key_id == b.aws_access_key_id &&
         a.aws_secret_access_key == b.aws_secret_access_key &&
         a.aws_session_token == b.aws_session_token && a.anthropic_version == b.anthropic_version &&
         a.verify_tls == b.verify_tls && a.ca_file == b.ca_file &&
         a.connect_timeout == b.connect_timeout && a.first_byte_timeout == b.first_byte_timeout &&
         a.total_timeout == b.total_timeout && a.idle_read_timeout == b.idle_read_timeout &&
         a.options == b.options;
}

bool same_breaker(const BreakerConfig& a, const BreakerConfig& b) {
  return a.consecutive_failures == b.consecutive_failures && a.error_rate == b.error_rate &&
         a.min_requests == b.min_requests && a.window == b.window &&
         a.open_duration == b.open_duration && a.half_open_max_calls == b.half_open_max_calls;
}

bool same_health(const HealthCheckConfig& a, const HealthCheckConfig& b) {
  return a.enabled == b.enabled && a.interval == b.interval && a.timeout == b.timeout &&
         a.healthy_threshold == b.healthy_threshold &&
         a.unhealthy_threshold == b.unhealthy_threshold;
}

}  // namespace

CircuitBreakerOptions breaker_options(const BreakerConfig& c) {
  CircuitBreakerOptions o;
  o.consecutive_failures = c.consecutive_failures;
  o.error_rate_threshold = c.error_rate;
  o.min_request_volume = c.min_requests;
  o.window = c.window;
  o.open_duration = c.open_duration;
  o.max_half_open_calls = c.half_open_max_calls;
  return o;
}

HealthCheckOptions health_options(const HealthCheckConfig& c) {
  HealthCheckOptions o;
  o.interval = c.interval;
  o.timeout = c.timeout;
  o.healthy_threshold = c.healthy_threshold;
  o.unhealthy_threshold = c.unhealthy_threshold;
  return o;
}

Result<std::shared_ptr<Deployment>> Deployment::create(const std::string& model,
                                                       const DeploymentConfig& config,
                                                       const ModelConfig& model_config,
                                                       const providers::ProviderRegistry& registry,
                                                       net::HttpClient& client, const Clock& clock,
                                                       RouterMetrics& metrics) {
  auto provider = [&]() -> Result<std::unique_ptr<providers::Provider>> {
    try {
      return registry.create(config.provider, client);
    } catch (const std::exception& e) {
      return make_error(ErrorCode::kConfigInvalid,
                        std::string("provider factory failed: ") + e.what());
    }
  }();
  if (!provider.ok()) return provider.error();
  if (*provider == nullptr) {
    return make_error(ErrorCode::kInternal, "provider factory returned no provider");
  }
  return std::make_shared<Deployment>(Key{}, model, config, model_config, std::move(*provider),
                                      clock, metrics);
}

Deployment::Deployment(Key, std::string model, DeploymentConfig config,
                       const ModelConfig& model_config,
                       std::unique_ptr<providers::Provider> provider, const Clock& clock,
                       RouterMetrics& metrics)
    : model_(std::move(model)),
      config_(std::move(config)),
      breaker_(model_config.breaker),
      health_(model_config.health),
      provider_(std::move(provider)),
      families_(metrics),
      metrics_{metrics.duration.with({model_, config_.id}),
               metrics.ttft.with({model_, config_.id}),
               metrics.tokens.with({model_, config_.id, "in"}),
               metrics.tokens.with({model_, config_.id, "out"}),
               metrics.circuit_state.with({config_.id}),
               metrics.healthy.with({config_.id}),
               metrics.outstanding.with({config_.id})} {
  DeploymentOptions options;
  options.id = config_.id;
  options.weight = config_.weight;
  options.breaker = breaker_options(breaker_);
  options.health = health_options(health_);
  metrics::Gauge* gauge = &metrics_.circuit_state;
  std::string id = config_.id;
  // Openings are logged by the request that caused them (it knows the request id); this
  // callback only keeps the gauge true and notes recoveries.
  state_ = std::make_unique<DeploymentState>(
      std::move(options), clock, [gauge, id](CircuitState from, CircuitState to) {
        gauge->set(circuit_state_value(to));
        if (to != CircuitState::kOpen) {
          log::info("circuit_state_change", {{"deployment", id},
                                             {"from", circuit_state_name(from)},
                                             {"to", circuit_state_name(to)}});
        }
      });
  metrics_.circuit_state.set(0);
  metrics_.healthy.set(1);
}

bool Deployment::same_as(const std::string& model, const DeploymentConfig& config,
                         const ModelConfig& model_config) const {
  return model == model_ && config.id == config_.id && config.weight == config_.weight &&
         config.max_concurrent == config_.max_concurrent &&
         same_provider(config.provider, config_.provider) &&
         same_breaker(model_config.breaker, breaker_) && same_health(model_config.health, health_);
}

}  // namespace osprey::router
