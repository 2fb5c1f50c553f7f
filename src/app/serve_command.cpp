// `osprey serve`: loads the configuration, opens the store, composes the routes and runs the
// HTTP server until a signal drains it. This file is the one place that wires modules together.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "app/app_context.h"
#include "app/commands.h"
#include "app/debug_routes.h"
#include "app/default_models.h"
#include "app/health_routes.h"
#include "app/http_observer.h"
#include "app/jobs_authentication.h"
#include "core/build_info.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics_process.h"
#include "experiments/viewer_routes.h"
#include "gateway/admission/admission_config.h"
#include "gateway/auth/admin_bootstrap.h"
#include "gateway/auth/auth_config.h"
#include "gateway/cache/cache_config.h"
#include "gateway/cache/memory_response_cache.h"
#include "gateway/gateway_routes.h"
#include "gateway/validation/validation_config.h"
#include "maze/agents/local_provider.h"
#include "net/server.h"
#include "router/router_config.h"
#include "store/tenancy_input.h"

namespace osprey::app {
namespace {

LogLevel parse_level(const std::string& level) {
  if (level == "debug") return LogLevel::kDebug;
  if (level == "warn") return LogLevel::kWarn;
  if (level == "error") return LogLevel::kError;
  return LogLevel::kInfo;
}

net::ServerOptions server_options(const Config& config, const ListenAddress& address) {
  const ServerConfig& s = config.server;
  net::ServerOptions o;
  o.host = address.host;
  o.port = static_cast<std::uint16_t>(address.port);
  o.io_threads = s.io_threads;
  o.max_header_bytes = static_cast<std::size_t>(s.max_header_bytes);
  o.max_body_bytes = static_cast<std::size_t>(s.max_body_bytes);
  o.header_timeout = std::chrono::milliseconds(s.header_timeout_ms);
  o.body_timeout = std::chrono::milliseconds(s.body_timeout_ms);
  o.idle_timeout = std::chrono::milliseconds(s.idle_timeout_ms);
  o.write_timeout = std::chrono::milliseconds(s.write_timeout_ms);
  o.drain_timeout = std::chrono::milliseconds(s.drain_timeout_ms);
  o.max_connections = static_cast<std::size_t>(s.max_connections);
  return o;
}

// Opens and migrates the store. Runs on the main thread before any I/O thread exists.
Status open_store(AppContext& ctx) {
  std::error_code ec;
  std::filesystem::create_directories(ctx.config.data_dir, ec);
  if (ec) {
    return make_error(ErrorCode::kConfigInvalid,
                      "data_dir: cannot create \"" + ctx.config.data_dir + "\": " + ec.message());
  }
  store::StoreOptions options;
  options.url = ctx.config.store.url;
  options.busy_timeout_ms = ctx.config.store.busy_timeout_ms;
  options.pool_size = ctx.config.store.pool_size;
  auto store = store::open_store(options);
  if (!store) return store.error();
  ctx.store = std::move(store.value());
  return ctx.store->migrate();
}

// The `models:` section of the configuration as it is now: re-reads the file and the process
// environment (used by SIGHUP and POST /admin/reload).
Result<router::RouterConfig> load_router_config(ConfigSources sources) {
  sources.env = process_environment();
  Result<Config> config = load_config(sources);
  if (!config) return config.error();
  return router::parse_router_config(with_default_models(config->sections), sources.env);
}

// Builds the outbound side: HTTP client, provider adapters, and the model router with the
// configured model table. Fails with the message naming the bad `models` key.
Status build_router(AppContext& ctx, const ConfigSources& sources) {
  Result<router::RouterConfig> models =
      router::parse_router_config(with_default_models(ctx.config.sections), sources.env);
  if (!models) return models.error();
  ctx.http_client = std::make_unique<net::HttpClient>();
  providers::register_builtin_providers(ctx.providers);
  maze::register_local_provider(ctx.providers);
  ctx.router = std::make_unique<router::ModelRouter>(ctx.providers, *ctx.http_client, ctx.metrics,
                                                     system_clock());
  if (Status st = ctx.router->load(models.value()); !st.ok()) return st;
  ctx.models = std::move(models.value());
  ctx.reloader = std::make_unique<gateway::RouterReloader>(
      *ctx.router, [sources] { return load_router_config(sources); });
  ctx.gateway_metrics = std::make_unique<gateway::GatewayMetrics>(ctx.metrics);
  log::info("models_loaded", {{"models", ctx.models.models.size()}});
  return {};
}

// The response cache (in process) and per-model admission, from their config sections.
Status build_cache_and_admission(AppContext& ctx) {
  Result<gateway::CacheConfig> cache = gateway::parse_cache_config(ctx.config.sections);
  if (!cache) return cache.error();
  Result<gateway::AdmissionConfig> admission = gateway::parse_admission_config(ctx.config.sections);
  if (!admission) return admission.error();
  ctx.cache_metrics = std::make_unique<gateway::CacheMetrics>(ctx.metrics);
  auto store = std::make_shared<gateway::MemoryResponseCache>(
      static_cast<std::size_t>(cache->max_bytes), cache->ttl, system_clock(),
      ctx.cache_metrics.get());
  ctx.cache =
      std::make_unique<gateway::CacheStage>(cache.value(), std::move(store), *ctx.cache_metrics);
  ctx.admission = std::make_unique<gateway::AdmissionControl>(std::move(admission.value()),
                                                              ctx.metrics, system_clock());
  return {};
}

// The authentication stage: key cache, audit writer and, on the very first start of the store,
// the admin tenant and key. The new key goes to stdout once (before the listening line) and
// nowhere else: the log gets its prefix only.
Status build_auth(AppContext& ctx) {
  Result<gateway::AuthConfig> auth = gateway::parse_auth_config(ctx.config.sections);
  if (!auth) return auth.error();
  Result<gateway::AdminBootstrap> admin = gateway::bootstrap_admin(
      *ctx.store, store::format_timestamp(std::chrono::system_clock::now()));
  if (!admin) return admin.error();
  if (admin->new_key) {
    log::info("admin_key_created", {{"prefix", admin->prefix}});
    std::printf("osprey admin key (shown once): %s\n", admin->new_key->c_str());
    std::fflush(stdout);
  }
  ctx.key_cache = std::make_unique<gateway::KeyCache>(*ctx.store, system_clock(), auth->keys);
  ctx.audit = std::make_unique<gateway::AuditQueue>(
      *ctx.store, gateway::AuditQueueOptions{.flush_interval = auth->audit_flush});
  ctx.authenticator = std::make_shared<const gateway::Authenticator>(*ctx.key_cache, *ctx.workers,
                                                                     *ctx.audit, system_clock());
  return {};
}

// Stops the background writers that use the store (the audit queue flushes what it holds).
void stop_auth(AppContext& ctx) {
  if (ctx.key_cache) ctx.key_cache->stop();
  if (ctx.audit) ctx.audit->stop();
}

// The router's client holds sockets registered with the server's io_context: release them
// while that io_context still exists.
void release_outbound(AppContext& ctx) {
  ctx.reloader.reset();
  ctx.router.reset();
  ctx.http_client.reset();
}

}  // namespace

int run_serve(const CommandLine& cl) {
  if (cl.words.size() != 1) return usage_failure("usage: osprey serve [flags]");
  ServeRole role = ServeRole::kAll;
  for (const auto& [name, value] : cl.options) {
    if (name != "role") return usage_failure("unknown flag --" + name);
    Result<ServeRole> parsed = parse_serve_role(value);
    if (!parsed) return usage_failure(parsed.error().message);
    role = parsed.value();
  }

  AppContext ctx;
  {
    Result<Config> config = load_config(cl.config);
    if (!config) return usage_failure(config.error().message);
    ctx.config = std::move(config.value());
  }
  const Config& config = ctx.config;
  // The validation section also decides what the logger redacts, so it is read before logging.
  Result<gateway::validation::ValidationConfig> validation =
      gateway::validation::parse_validation_config(config.sections);
  if (!validation) return usage_failure(validation.error().message);
  auto redactor = gateway::validation::make_log_redactor(validation.value());
  if (!redactor) return usage_failure(redactor.error().message);
  Status logging = log::init({.level = parse_level(config.log.level),
                              .file = config.log.file,
                              .debug_sample_rate = config.log.debug_sample_rate,
                              .service = "osprey",
                              .secrets = secret_values(config),
                              // A server logs a line per request: batch them (WARN+ stay instant).
                              .buffered = true,
                              .redactor = redactor.value()});
  if (!logging.ok()) return usage_failure(logging.error().message);
  {
    auto validator = gateway::validation::RequestValidator::create(validation.value());
    if (!validator) return usage_failure(validator.error().message);
    ctx.validator = std::move(validator.value());
  }

  Result<ListenAddress> address = parse_listen_address(config.server.listen);
  if (!address) return usage_failure(address.error().message);

  log::info("startup_begin", {{"version", osprey::version()},
                              {"data_dir", config.data_dir},
                              {"config_file", config.config_file}});
  ctx.workers = std::make_unique<net::WorkerPool>(config.worker_threads);
  if (Status st = open_store(ctx); !st.ok()) {
    log::error("store_open_failed",
               {{"code", code_name(st.code())}, {"error", st.error().message}});
    std::fprintf(stderr, "osprey: store: %s\n", st.error().message.c_str());
    return 1;
  }

  if (Status st = build_auth(ctx); !st.ok()) {
    log::error("auth_setup_failed", {{"error", st.error().message}});
    return usage_failure(st.error().message);
  }

  if (Status st = build_router(ctx, cl.config); !st.ok()) {
    log::error("models_invalid", {{"error", st.error().message}});
    return usage_failure(st.error().message);
  }
  ctx.reloader->set_audit(ctx.audit.get());

  if (Status st = build_cache_and_admission(ctx); !st.ok()) {
    log::error("config_invalid", {{"error", st.error().message}});
    return usage_failure(st.error().message);
  }
  {
    auto limits = gateway::LimitsRuntime::build(config.sections, *ctx.store, *ctx.workers,
                                                ctx.metrics, system_clock());
    if (!limits) {
      log::error("config_invalid", {{"error", limits.error().message}});
      return usage_failure(limits.error().message);
    }
    ctx.limits = std::move(limits.value());
    ctx.limits->start();
  }
  {
    auto jobs = JobsComponent::create(ctx, role);
    if (!jobs) {
      log::error("jobs_config_invalid", {{"error", jobs.error().message}});
      return usage_failure(jobs.error().message);
    }
    ctx.jobs = std::move(jobs.value());
  }
  Result<jobs::Authenticated> jobs_auth = jobs_authentication(ctx);
  if (!jobs_auth) {
    std::fprintf(stderr, "osprey: %s\n", jobs_auth.error().message.c_str());
    return 1;
  }

  metrics::register_process_metrics(ctx.metrics);
  HttpObserver observer(ctx.metrics, config.log.access_log);
  net::Router router;
  add_health_routes(router, ctx);
  if (config.server.debug_endpoints) add_debug_routes(router, ctx);
  if (role != ServeRole::kWorker) {
    gateway::add_gateway_routes(router, {.router = *ctx.router,
                                         .reloader = *ctx.reloader,
                                         .metrics = *ctx.gateway_metrics,
                                         .workers = *ctx.workers,
                                         .clock = system_clock(),
                                         .auth = ctx.authenticator,
                                         .store = *ctx.store,
                                         .keys = *ctx.key_cache,
                                         .options = {},
                                         .validator = ctx.validator.get(),
                                         .cache = ctx.cache.get(),
                                         .admission = ctx.admission.get(),
                                         .limits = &ctx.limits->stage(),
                                         .audit = ctx.audit.get()});
    experiments::add_viewer_routes(router);
  }
  ctx.jobs->add_routes(router, std::move(jobs_auth.value()), system_clock(), *ctx.workers);

  net::Server server(server_options(config, *address), std::move(router), observer.hooks());
  if (Status st = server.listen(); !st.ok()) {
    log::error("listen_failed", {{"listen", config.server.listen}, {"error", st.error().message}});
    std::fprintf(stderr, "osprey: %s\n", st.error().message.c_str());
    return 1;
  }
  server.spawn([&ctx] { return ctx.router->run_health_checks(); });
  ctx.jobs->attach_calls(
      [&server](std::function<net::Task<void>()> task) { server.spawn(std::move(task)); });
  ctx.key_cache->start();
  ctx.audit->start();
  if (Status st = ctx.jobs->start(); !st.ok()) {
    log::error("jobs_start_failed", {{"error", st.error().message}});
    std::fprintf(stderr, "osprey: jobs: %s\n", st.error().message.c_str());
    return 1;
  }

  std::atomic<int> shutdown_signals{0};
  server.on_signal([&](int signo) {
    if (signo == SIGHUP) {
      log::info("reload_requested", {{"signal", signo}});
      // Reading the file is blocking work: keep it off the I/O thread. The reloader logs the
      // outcome.
      ctx.workers->post([&ctx] { (void)ctx.reloader->reload("sighup"); });
      return;
    }
    if (shutdown_signals.fetch_add(1) == 0) {
      ctx.draining = true;
      ctx.router->stop();        // ends the health checks; calls in flight finish
      ctx.jobs->request_stop();  // no new claims; items in flight finish below
      log::info("drain_begin",
                {{"signal", signo}, {"in_flight", static_cast<std::uint64_t>(server.in_flight())}});
      server.drain();
      return;
    }
    log::warn("forced_exit", {{"signal", signo}});
    log::flush();
    std::_Exit(1);
  });

  const std::string url = "http://" +
                          config.server.listen.substr(0, config.server.listen.rfind(':')) + ":" +
                          std::to_string(server.port());
  log::info("startup_complete",
            {{"url", url}, {"store", ctx.store->backend()}, {"role", role_name(role)}});
  std::printf("osprey listening on %s\n", url.c_str());
  std::fflush(stdout);

  server.run();

  log::info("drain_complete");
  ctx.jobs->close_calls();  // the io_context no longer runs: model calls still waiting end now
  ctx.jobs->stop();         // items in flight finish and settle before the store closes
  ctx.workers->join();      // before the router goes: a SIGHUP reload may still be running
  release_outbound(ctx);
  ctx.limits->stop();  // writes every queued usage row; budget settlements ran in the pool
  stop_auth(ctx);
  if (Status st = ctx.store->close(); !st.ok()) {
    log::error("store_close_failed", {{"error", st.error().message}});
  }
  log::info("shutdown_complete");
  log::flush();
  return 0;
}

}  // namespace osprey::app
