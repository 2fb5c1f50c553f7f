#pragma once
// RouterFixture: a ModelRouter over fake providers, a ManualClock and a sleep that only moves
// that clock (recording every wait), plus helpers to run router coroutines on a local
// io_context and to build `models:` configs.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/metrics.h"
#include "net/http_client.h"
#include "providers/provider_registry.h"
#include "router/model_router.h"
#include "router/router_config.h"
#include "unit/router/fake_provider.h"

namespace osprey::router::testing {

using nlohmann::json;
using std::chrono::milliseconds;

// {"id": name, "adapter": "openai", "base_url": "http://<name>"} plus `extra`.
inline json deployment(const std::string& name, json extra = json::object()) {
  json d = {{"id", name}, {"adapter", "openai"}, {"base_url", "http://" + name}};
  d.update(extra);
  return d;
}

// A model with the given deployments; retries without delay, health checks off unless `extra`
// says otherwise.
inline json model(const std::string& name, std::vector<json> deployments,
                  json extra = json::object()) {
  json m = {{"name", name},
            {"deployments", deployments},
            {"retry", {{"max_attempts", 3}, {"base_delay_ms", 0}, {"max_delay_ms", 0}}},
            {"health", {{"enabled", false}}}};
  for (auto& [key, value] : extra.items()) {
    if (value.is_object() && m.contains(key) && m[key].is_object()) {
      m[key].update(value);
    } else {
      m[key] = value;
    }
  }
  return m;
}

template <typename T>
net::Task<void> store(net::Task<T> task, std::optional<T>* out) {
  out->emplace(co_await std::move(task));
}

class RouterFixture : public ::testing::Test {
 protected:
  RouterFixture() {
    register_fakes(registry, backend);
    RouterOptions options;
    options.seed = 42;
    options.sleep = [this](milliseconds d, std::shared_ptr<net::CancelToken>) -> net::Task<void> {
      sleeps.push_back(d);
      clock.advance(d);
      if (on_sleep) on_sleep();
      co_return;
    };
    router = std::make_unique<ModelRouter>(registry, client, metrics, clock, std::move(options));
  }

  // Parses and loads; fails the test on error.
  void load(std::vector<json> models) {
    auto status = try_load(std::move(models));
    ASSERT_TRUE(status.ok()) << status.error().message;
  }
  Status try_load(std::vector<json> models) {
    auto config = parse_router_config(json{{"models", models}}, {});
    if (!config.ok()) return config.error();
    return router->load(*config);
  }

  // Starts `task` on `io`; `out` is set when it finishes. Exceptions escape io.run().
  template <typename T>
  void spawn(net::Task<T> task, std::optional<T>& out) {
    boost::asio::co_spawn(io, store(std::move(task), &out), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
  }
  // Runs `io` until `out` is set.
  template <typename T>
  void run_until(const std::optional<T>& out) {
    io.restart();
    while (!out && io.run_one() > 0) {
    }
    ASSERT_TRUE(out.has_value()) << "the task did not finish";
  }
  // Runs `task` to completion on `io`.
  template <typename T>
  T run(net::Task<T> task) {
    std::optional<T> out;
    spawn(std::move(task), out);
    run_until(out);
    return std::move(*out);
  }

  // Runs `io` while `busy()` holds, for at most 10 s (generous: only a broken router needs it);
  // false if it still held then.
  bool run_while(const std::function<bool()>& busy) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    io.restart();
    while (busy() && std::chrono::steady_clock::now() < give_up) {
      if (io.run_one() == 0) io.restart();
    }
    return !busy();
  }

  // The health loop as a task with a result, for spawn().
  net::Task<bool> health_loop() {
    co_await router->run_health_checks();
    co_return true;
  }
  // Runs the health loop; after each wait, `after_round(round)` runs; stops after `rounds`.
  void run_health_rounds(int rounds, std::function<void(int)> after_round) {
    int round = 0;
    on_sleep = [&] {
      ++round;
      if (after_round) after_round(round);
      if (round >= rounds) router->stop();
    };
    std::optional<bool> done;
    spawn(health_loop(), done);
    run_until(done);
    on_sleep = nullptr;
  }

  providers::ChatRequest request(const std::string& model_name) {
    providers::ChatRequest r;
    r.model = model_name;
    r.messages.push_back({providers::Role::kUser, {providers::TextBlock{"hi"}}});
    return r;
  }
  providers::CallContext context() {
    providers::CallContext ctx;
    ctx.request_id = "req-" + std::to_string(++request_counter);
    ctx.cancel = std::make_shared<net::CancelToken>();
    return ctx;
  }

  providers::UpstreamResult<RoutedResponse> chat(const std::string& model_name) {
    return run(router->chat(request(model_name), context()));
  }

  double counter(const std::string& name, std::vector<std::string> labels,
                 std::vector<std::string> values) {
    return metrics.counter(name, "", std::move(labels)).with(values).value();
  }
  double gauge(const std::string& name, const std::string& deployment_id) {
    return metrics.gauge(name, "", {"deployment"}).with({deployment_id}).value();
  }

  ManualClock clock;
  metrics::Registry metrics;
  providers::ProviderRegistry registry;
  FakeBackend backend;
  net::HttpClient client;
  boost::asio::io_context io;
  std::vector<milliseconds> sleeps;
  std::function<void()> on_sleep;
  std::unique_ptr<ModelRouter> router;
  int request_counter = 0;
};

}  // namespace osprey::router::testing
