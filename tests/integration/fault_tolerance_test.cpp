// Fault tolerance of the online path, end to end: the real osprey binary in front of in-process
// fake upstreams that inject failures (tests/fakes). Retries, breakers, health checks, fallbacks,
// client-disconnect cancellation and broken streams, as a client sees them.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "fakes/fake_upstream.h"
#include "http_client.h"
#include "metrics_text.h"
#include "osprey_process.h"

namespace osprey::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using fakes::FakeUpstream;
using fakes::FakeUpstreamOptions;

std::unique_ptr<FakeUpstream> start_fake(fakes::FaultConfig faults = {}, std::uint64_t seed = 7) {
  FakeUpstreamOptions options;
  options.vendor = fakes::Vendor::kOpenAi;
  options.faults = faults;
  options.seed = seed;
  auto fake = std::make_unique<FakeUpstream>(options);
  EXPECT_TRUE(fake->start().ok());
  return fake;
}

// One YAML deployment entry for an OpenAI-compatible fake.
std::string deployment(const std::string& id, const FakeUpstream& fake,
                       const std::string& extra = "") {
  return "      - id: " + id + "\n        adapter: openai\n        base_url: " + fake.base_url() +
         "\n        model: fake-model\n" + extra;
}

std::unique_ptr<OspreyProcess> start_osprey(TempDir& dir, const std::string& models_yaml) {
  const std::string path = dir.path() + "/osprey.yaml";
  write_file(path, "models:\n" + models_yaml);
  return OspreyProcess::start({.args = {"--config", path}});
}

std::string chat_body(const std::string& model, bool stream = false,
                      const std::string& text = "hello there") {
  json body = {{"model", model},
               {"messages", json::array({{{"role", "user"}, {"content", text}}})}};
  if (stream) body["stream"] = true;
  return body.dump();
}

HttpResponse chat(const OspreyProcess& osprey, const std::string& model, bool stream = false,
                  const std::string& text = "hello there") {
  return http_request(osprey.port(), "POST", "/v1/chat/completions", chat_body(model, stream, text),
                      osprey.admin_auth());
}

double metric(std::uint16_t port, const std::string& name,
              const std::map<std::string, std::string>& labels) {
  return metric_value(http_request(port, "GET", "/metrics").body, name, labels);
}

TEST(FaultTolerance, ThousandRequestsSucceedDespiteErrorsAndTimeouts) {
  auto flaky = start_fake({.fail_rate = 0.3});
  auto hanging = start_fake({.hang = true});
  TempDir dir;
  auto osprey = start_osprey(
      dir,
      "  - name: m\n"
      "    retry: {max_attempts: 10, base_delay_ms: 5, max_delay_ms: 50, total_deadline_ms: "
      "20000}\n"
      "    breaker: {consecutive_failures: 10, error_rate: 0.9, min_requests: 10, open_ms: 2000}\n"
      "    health: {enabled: false}\n"
      "    deployments:\n" +
          deployment("flaky", *flaky) +
          deployment("hanging", *hanging, "        timeouts: {first_byte_ms: 150}\n"));
  ASSERT_NE(osprey, nullptr);

  constexpr int kRequests = 1000;
  constexpr int kClients = 8;
  std::atomic<int> ok{0};
  std::atomic<int> next{0};
  std::vector<std::string> failures;
  std::mutex failures_mu;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      while (next.fetch_add(1) < kRequests) {
        HttpResponse r = chat(*osprey, "m");
        if (r.status == 200 &&
            json::parse(r.body)["choices"][0]["message"]["content"] == "echo: hello there") {
          ++ok;
        } else {
          std::lock_guard lock(failures_mu);
          failures.push_back(std::to_string(r.status) + " " + r.body);
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kRequests) << (failures.empty() ? "" : failures.front());
  EXPECT_GT(flaky->stats().injected_failures, 0u) << "the fault was never injected";
  EXPECT_GT(hanging->stats().chat_calls, 0u) << "the hanging deployment was never tried";
  EXPECT_GT(metric(osprey->port(), "osprey_router_retries_total", {{"model", "m"}}), 0);
}

TEST(FaultTolerance, DeadDeploymentIsEjectedAndReadmittedAfterRecovery) {
  auto good = start_fake();
  auto dead = start_fake({.down = true});
  TempDir dir;
  auto osprey = start_osprey(dir,
                             "  - name: m\n"
                             "    health: {interval_ms: 100, timeout_ms: 200, healthy_threshold: "
                             "2, unhealthy_threshold: 2}\n"
                             "    deployments:\n" +
                                 deployment("good", *good) + deployment("dead", *dead));
  ASSERT_NE(osprey, nullptr);

  // Ejected within the configured threshold (2 probes at 100 ms), with slack for a busy machine.
  double healthy = -1;
  for (int i = 0; i < 40 && healthy != 0; ++i) {
    std::this_thread::sleep_for(50ms);
    healthy = metric(osprey->port(), "osprey_deployment_healthy", {{"deployment", "dead"}});
  }
  ASSERT_EQ(healthy, 0) << "the dead deployment was never marked unhealthy";
  const auto dead_calls_before = dead->stats().calls;
  for (int i = 0; i < 50; ++i) {
    HttpResponse r = chat(*osprey, "m");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("x-osprey-deployment"), "good");
  }
  // Only probes reached it meanwhile.
  EXPECT_EQ(dead->stats().chat_calls, 0u);
  EXPECT_GE(dead->stats().calls, dead_calls_before);

  ASSERT_TRUE(dead->patch_faults({{"down", false}}).ok());
  for (int i = 0; i < 40 && healthy != 1; ++i) {
    std::this_thread::sleep_for(50ms);
    healthy = metric(osprey->port(), "osprey_deployment_healthy", {{"deployment", "dead"}});
  }
  ASSERT_EQ(healthy, 1) << "the recovered deployment was never re-admitted";
  std::set<std::string> served_by;
  for (int i = 0; i < 60; ++i) {
    HttpResponse r = chat(*osprey, "m");
    ASSERT_EQ(r.status, 200) << r.body;
    served_by.insert(r.header("x-osprey-deployment"));
  }
  EXPECT_TRUE(served_by.count("dead")) << "re-admitted deployment got no traffic";
}

TEST(FaultTolerance, FallbackModelAnswersWhenEveryDeploymentIsDown) {
  auto broken_a = start_fake({.status = 503});
  auto broken_b = start_fake({.down = true});
  auto backup = start_fake();
  TempDir dir;
  auto osprey =
      start_osprey(dir,
                   "  - name: primary\n"
                   "    fallbacks: [backup]\n"
                   "    retry: {max_attempts: 2, base_delay_ms: 5, max_delay_ms: 20}\n"
                   "    health: {enabled: false}\n"
                   "    deployments:\n" +
                       deployment("broken-a", *broken_a) + deployment("broken-b", *broken_b) +
                       "  - name: backup\n"
                       "    health: {enabled: false}\n"
                       "    deployments:\n" +
                       deployment("backup-1", *backup));
  ASSERT_NE(osprey, nullptr);
  for (int i = 0; i < 5; ++i) {
    HttpResponse r = chat(*osprey, "primary");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("x-osprey-deployment"), "backup-1");
    EXPECT_EQ(json::parse(r.body)["choices"][0]["message"]["content"], "echo: hello there");
  }
  EXPECT_GT(metric(osprey->port(), "osprey_router_fallbacks_total",
                   {{"from", "primary"}, {"to", "backup"}}),
            0);
}

TEST(FaultTolerance, ClientDisconnectCancelsTheUpstreamCall) {
  auto hanging = start_fake({.hang = true});
  TempDir dir;
  auto osprey = start_osprey(dir, "  - name: m\n    health: {enabled: false}\n    deployments:\n" +
                                      deployment("slow", *hanging));
  ASSERT_NE(osprey, nullptr);
  Connection client;
  ASSERT_TRUE(client.connect(osprey->port()));
  ASSERT_TRUE(
      client.send_request("POST", "/v1/chat/completions", chat_body("m"), osprey->admin_auth()));
  for (int i = 0; i < 100 && hanging->stats().in_flight < 1; ++i) std::this_thread::sleep_for(20ms);
  ASSERT_EQ(hanging->stats().in_flight, 1) << "the call never reached the upstream";
  client.close();
  for (int i = 0; i < 100 && hanging->stats().cancelled < 1; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(hanging->stats().cancelled, 1u) << "the upstream call outlived its client";
  EXPECT_EQ(hanging->stats().in_flight, 0);
}

TEST(FaultTolerance, StreamCutAfterThreeChunksReachesTheClientAsAnErrorWithoutDone) {
  auto cutting = start_fake({.cut_after_chunks = 3});
  TempDir dir;
  auto osprey = start_osprey(dir, "  - name: m\n    health: {enabled: false}\n    deployments:\n" +
                                      deployment("cutter", *cutting));
  ASSERT_NE(osprey, nullptr);
  HttpResponse r = chat(*osprey, "m", true, "one two three four five six seven eight");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto events = sse_data(r.body);
  ASSERT_GE(events.size(), 2u) << r.body;
  EXPECT_EQ(std::count(events.begin(), events.end(), "[DONE]"), 0) << r.body;
  json last = json::parse(events.back(), nullptr, false);
  ASSERT_FALSE(last.is_discarded()) << events.back();
  ASSERT_TRUE(last.contains("error")) << r.body;
  EXPECT_TRUE(last["error"]["code"].is_string());
  // At least one real chunk got through before the cut.
  json first = json::parse(events.front(), nullptr, false);
  EXPECT_EQ(first["object"], "chat.completion.chunk") << events.front();
}

TEST(FaultTolerance, StreamCutBeforeTheFirstChunkIsRetriedOnAnotherDeployment) {
  auto cutting = start_fake({.cut_after_chunks = 0});
  auto good = start_fake();
  TempDir dir;
  auto osprey = start_osprey(dir,
                             "  - name: m\n"
                             "    retry: {max_attempts: 3, base_delay_ms: 5, max_delay_ms: 20}\n"
                             "    breaker: {consecutive_failures: 100}\n"
                             "    health: {enabled: false}\n"
                             "    deployments:\n" +
                                 deployment("cutter", *cutting, "        weight: 100\n") +
                                 deployment("good", *good, "        weight: 1\n"));
  ASSERT_NE(osprey, nullptr);
  for (int i = 0; i < 10; ++i) {
    HttpResponse r = chat(*osprey, "m", true, "alpha beta gamma");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("x-osprey-deployment"), "good");
    const auto events = sse_data(r.body);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back(), "[DONE]") << r.body;
    std::string text;
    for (const auto& e : events) {
      json j = json::parse(e, nullptr, false);
      if (j.is_discarded() || !j.contains("choices") || j["choices"].empty()) continue;
      const json& delta = j["choices"][0]["delta"];
      if (delta.contains("content") && delta["content"].is_string()) text += delta["content"];
    }
    EXPECT_EQ(text, "echo: alpha beta gamma");
  }
  EXPECT_GT(cutting->stats().chat_calls, 0u) << "the cutting deployment was never tried";
}

}  // namespace
}  // namespace osprey::testing
