// The response cache and admission through the real binary, in front of in-process fake
// upstreams whose request counters prove when no upstream call was made: cache hits (plain and
// streamed), what is and is not stored, tenant scoping and invalidation; admission overflow,
// queue timeouts, clients that hang up while queued, and priority order under a per-model
// concurrency limit.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "fakes/fake_upstream.h"
#include "http_client.h"
#include "metrics_text.h"
#include "model_yaml.h"
#include "osprey_process.h"
#include "support/eventually.h"

namespace osprey::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using fakes::FakeUpstream;
using Headers = std::vector<std::pair<std::string, std::string>>;

std::unique_ptr<FakeUpstream> start_fake(fakes::FaultConfig faults = {}) {
  fakes::FakeUpstreamOptions options;
  options.vendor = fakes::Vendor::kOpenAi;
  options.faults = faults;
  options.io_threads = 4;
  auto fake = std::make_unique<FakeUpstream>(options);
  EXPECT_TRUE(fake->start().ok());
  return fake;
}

std::unique_ptr<OspreyProcess> start_osprey(TempDir& dir, const FakeUpstream& fake,
                                            const std::string& sections) {
  const std::string path = dir.path() + "/osprey.yaml";
  write_file(path,
             fake_model_yaml("m", fake.base_url(), "fake-model", "    retry: {max_attempts: 1}\n") +
                 sections);
  return OspreyProcess::start({.args = {"--config", path}});
}

std::string chat_body(const std::string& text, bool stream = false,
                      std::optional<double> temperature = 0.0) {
  json body = {{"model", "m"}, {"messages", json::array({{{"role", "user"}, {"content", text}}})}};
  if (temperature) body["temperature"] = *temperature;
  if (stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
  }
  return body.dump();
}

HttpResponse chat(const OspreyProcess& osprey, const Headers& auth, const std::string& body,
                  Headers extra = {}) {
  Headers headers = auth;
  headers.insert(headers.end(), extra.begin(), extra.end());
  return http_request(osprey.port(), "POST", "/v1/chat/completions", body, headers);
}

double metric(const OspreyProcess& osprey, const std::string& name,
              const std::map<std::string, std::string>& labels = {}) {
  return metric_value(http_request(osprey.port(), "GET", "/metrics").body, name, labels);
}

// The admin key's Authorization header (every request needs a key).
Headers admin_headers(const OspreyProcess& osprey) { return osprey.admin_auth(); }

// A new tenant with one key whose plan is `plan`; returns that key's Authorization header.
Headers tenant_key(const OspreyProcess& osprey, const std::string& tenant, const json& plan) {
  const Headers admin = osprey.admin_auth();
  HttpResponse created =
      http_request(osprey.port(), "POST", "/admin/tenants", json{{"name", tenant}}.dump(), admin);
  EXPECT_EQ(created.status, 201) << created.body;
  if (created.status != 201) return {};
  const std::string id = std::to_string(json::parse(created.body)["id"].get<std::int64_t>());
  HttpResponse key = http_request(osprey.port(), "POST", "/admin/tenants/" + id + "/keys",
                                  json{{"name", tenant + "-key"}, {"plan", plan}}.dump(), admin);
  EXPECT_EQ(key.status, 201) << key.body;
  if (key.status != 201) return {};
  return {{"Authorization", "Bearer " + json::parse(key.body)["key"].get<std::string>()}};
}

const char kCacheOn[] = "cache:\n  enabled: true\n";

TEST(ResponseCache, RepeatedRequestIsServedFromCacheWithoutUpstreamCall) {
  auto fake = start_fake();
  TempDir dir;
  auto osprey = start_osprey(dir, *fake, kCacheOn);
  ASSERT_NE(osprey, nullptr);
  const Headers auth = admin_headers(*osprey);

  HttpResponse first = chat(*osprey, auth, chat_body("what is a cache?"));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.header("x-osprey-cache"), "miss");
  EXPECT_EQ(fake->stats().chat_calls, 1u);

  // Same question, other key order, a different `user`: still the same entry.
  const std::string again =
      R"({"user":"someone","temperature":0,"messages":[{"content":"what is a cache?","role":"user"}],"model":"m"})";
  HttpResponse second = chat(*osprey, auth, again);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.header("x-osprey-cache"), "hit");
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.header("x-osprey-deployment"), "m@fake");
  EXPECT_EQ(fake->stats().chat_calls, 1u) << "the hit called the upstream";

  // A different question is a miss.
  HttpResponse other = chat(*osprey, auth, chat_body("and a queue?"));
  EXPECT_EQ(other.header("x-osprey-cache"), "miss");
  EXPECT_EQ(fake->stats().chat_calls, 2u);
  EXPECT_EQ(metric(*osprey, "osprey_cache_hits_total"), 1);
  EXPECT_EQ(metric(*osprey, "osprey_cache_misses_total"), 2);
}

TEST(ResponseCache, StreamedHitReplaysTheSameEvents) {
  auto fake = start_fake();
  TempDir dir;
  auto osprey = start_osprey(dir, *fake, kCacheOn);
  ASSERT_NE(osprey, nullptr);
  const Headers auth = admin_headers(*osprey);

  HttpResponse first = chat(*osprey, auth, chat_body("stream me please", true));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.header("x-osprey-cache"), "miss");
  ASSERT_NE(first.body.find("data: [DONE]"), std::string::npos);
  // Stored at the clean end of the stream; the store runs right after [DONE] is written.
  ASSERT_TRUE(eventually([&] { return metric(*osprey, "osprey_cache_stores_total") == 1; }));

  HttpResponse second = chat(*osprey, auth, chat_body("stream me please", true));
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(second.header("x-osprey-cache"), "hit");
  EXPECT_EQ(second.header("content-type").rfind("text/event-stream", 0), 0u);
  EXPECT_EQ(second.body, first.body);  // every event, byte for byte, [DONE] included
  EXPECT_EQ(fake->stats().chat_calls, 1u);

  // The non-streamed form of the same question is another entry.
  HttpResponse plain = chat(*osprey, auth, chat_body("stream me please", false));
  EXPECT_EQ(plain.header("x-osprey-cache"), "miss");
  EXPECT_EQ(fake->stats().chat_calls, 2u);
}

TEST(ResponseCache, CutStreamIsNotStored) {
  auto fake = start_fake({.stream_error_after_chunks = 2});
  TempDir dir;
  auto osprey = start_osprey(dir, *fake, kCacheOn);
  ASSERT_NE(osprey, nullptr);
  const Headers auth = admin_headers(*osprey);
  HttpResponse first = chat(*osprey, auth, chat_body("break midway", true));
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body.find("data: [DONE]"), std::string::npos);
  HttpResponse second = chat(*osprey, auth, chat_body("break midway", true));
  EXPECT_EQ(second.header("x-osprey-cache"), "miss");
  EXPECT_EQ(fake->stats().chat_calls, 2u);
  EXPECT_EQ(metric(*osprey, "osprey_cache_stores_total"), 0);
}

TEST(ResponseCache, TemperatureAndCacheControlDecideWhatIsCached) {
  auto fake = start_fake();
  TempDir dir;
  auto osprey = start_osprey(dir, *fake, kCacheOn);
  ASSERT_NE(osprey, nullptr);
  const Headers auth = admin_headers(*osprey);

  // Sampled answers bypass the cache (explicit temperature or OpenAI's default of 1).
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(chat(*osprey, auth, chat_body("warm", false, 0.7)).header("x-osprey-cache"),
              "bypass");
    EXPECT_EQ(
        chat(*osprey, auth, chat_body("default", false, std::nullopt)).header("x-osprey-cache"),
        "bypass");
  }
  EXPECT_EQ(fake->stats().chat_calls, 4u);

  // no-store: neither served nor stored.
  EXPECT_EQ(
      chat(*osprey, auth, chat_body("q"), {{"Cache-Control", "no-store"}}).header("x-osprey-cache"),
      "bypass");
  EXPECT_EQ(chat(*osprey, auth, chat_body("q")).header("x-osprey-cache"), "miss");
  // no-cache: a fresh answer even though one is stored, and it replaces the stored one.
  EXPECT_EQ(
      chat(*osprey, auth, chat_body("q"), {{"Cache-Control", "no-cache"}}).header("x-osprey-cache"),
      "miss");
  EXPECT_EQ(fake->stats().chat_calls, 7u);
  EXPECT_EQ(chat(*osprey, auth, chat_body("q")).header("x-osprey-cache"), "hit");
  EXPECT_EQ(fake->stats().chat_calls, 7u);
}

TEST(ResponseCache, AdminInvalidationByModel) {
  auto fake = start_fake();
  TempDir dir;
  auto osprey = start_osprey(dir, *fake, kCacheOn);
  ASSERT_NE(osprey, nullptr);
  const Headers auth = admin_headers(*osprey);
  ASSERT_EQ(chat(*osprey, auth, chat_body("q")).status, 200);
  ASSERT_EQ(chat(*osprey, auth, chat_body("q")).header("x-osprey-cache"), "hit");

  HttpResponse empty = http_request(osprey->port(), "POST", "/admin/cache/invalidate", "{}", auth);
  EXPECT_EQ(empty.status, 400);
  HttpResponse dropped =
      http_request(osprey->port(), "POST", "/admin/cache/invalidate", R"({"model":"m"})", auth);
  ASSERT_EQ(dropped.status, 200) << dropped.body;
  EXPECT_EQ(json::parse(dropped.body)["invalidated"], 1);
  EXPECT_EQ(chat(*osprey, auth, chat_body("q")).header("x-osprey-cache"), "miss");
  EXPECT_EQ(fake->stats().chat_calls, 2u);
}

TEST(ResponseCache, CacheDisabledByDefaultSendsNoHeader) {
  auto fake = start_fake();
  TempDir dir;
  auto osprey = start_osprey(dir, *fake, "");
  ASSERT_NE(osprey, nullptr);
  const Headers auth = admin_headers(*osprey);
  HttpResponse a = chat(*osprey, auth, chat_body("q"));
  HttpResponse b = chat(*osprey, auth, chat_body("q"));
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(b.header("x-osprey-cache"), "");
  EXPECT_EQ(fake->stats().chat_calls, 2u);
}

// One request on its own thread; the response lands in `out`.
std::thread send_async(const OspreyProcess& osprey, const Headers& auth, std::string body,
                       HttpResponse& out) {
  return std::thread([&osprey, auth, body = std::move(body), &out] {
    out = http_request(osprey.port(), "POST", "/v1/chat/completions", body, auth);
  });
}

TEST(Admission, OverflowAndQueueTimeoutGetTheirCodes) {
  auto fake = start_fake({.latency_ms = 3000});
  TempDir dir;
  auto osprey = start_osprey(dir, *fake,
                             "admission:\n"
                             "  models:\n"
                             "    m: {max_concurrent: 1, max_queue: 1, queue_timeout_ms: 300}\n");
  ASSERT_NE(osprey, nullptr);
  const Headers auth = admin_headers(*osprey);

  HttpResponse slow;
  std::thread holder = send_async(*osprey, auth, chat_body("slow", false, 1.0), slow);
  ASSERT_TRUE(eventually([&] { return fake->stats().in_flight == 1; }));

  HttpResponse queued;
  std::thread waiter = send_async(*osprey, auth, chat_body("queued", false, 1.0), queued);
  ASSERT_TRUE(eventually([&] {
    return metric(*osprey, "osprey_admission_queue_depth",
                  {{"model", "m"}, {"priority", "normal"}}) == 1;
  }));
  // The queue (1) is full: refused at once.
  HttpResponse full = chat(*osprey, auth, chat_body("full", false, 1.0));
  EXPECT_EQ(full.status, 429);
  EXPECT_EQ(json::parse(full.body)["error"]["code"], "queue_full");
  EXPECT_FALSE(full.header("retry-after").empty());

  waiter.join();
  EXPECT_EQ(queued.status, 503) << queued.body;
  EXPECT_EQ(json::parse(queued.body)["error"]["code"], "queue_timeout");
  EXPECT_EQ(queued.header("retry-after"), "1");
  holder.join();
  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(fake->stats().chat_calls, 1u) << "a refused request reached the upstream";
  EXPECT_EQ(metric(*osprey, "osprey_admission_rejections_total",
                   {{"model", "m"}, {"reason", "queue_timeout"}}),
            1);
  EXPECT_EQ(metric(*osprey, "osprey_admission_rejections_total",
                   {{"model", "m"}, {"reason", "queue_full"}}),
            1);
}

TEST(Admission, QueueFullCanBe503) {
  auto fake = start_fake({.latency_ms = 2000});
  TempDir dir;
  auto osprey = start_osprey(
      dir, *fake,
      "admission:\n  default: {max_concurrent: 1, max_queue: 0, overflow_status: 503}\n");
  ASSERT_NE(osprey, nullptr);
  const Headers auth = admin_headers(*osprey);
  HttpResponse slow;
  std::thread holder = send_async(*osprey, auth, chat_body("slow", false, 1.0), slow);
  ASSERT_TRUE(eventually([&] { return fake->stats().in_flight == 1; }));
  HttpResponse full = chat(*osprey, auth, chat_body("full", false, 1.0));
  EXPECT_EQ(full.status, 503);
  EXPECT_EQ(json::parse(full.body)["error"]["code"], "queue_full");
  holder.join();
  EXPECT_EQ(slow.status, 200);
}

TEST(Admission, ClientThatDisconnectsWhileQueuedLeavesTheQueue) {
  auto fake = start_fake({.latency_ms = 1500});
  TempDir dir;
  auto osprey = start_osprey(dir, *fake,
                             "admission:\n"
                             "  models:\n"
                             "    m: {max_concurrent: 1, max_queue: 5, queue_timeout_ms: 60000}\n");
  ASSERT_NE(osprey, nullptr);
  const Headers auth = admin_headers(*osprey);
  HttpResponse slow;
  std::thread holder = send_async(*osprey, auth, chat_body("slow", false, 1.0), slow);
  ASSERT_TRUE(eventually([&] { return fake->stats().in_flight == 1; }));
  auto depth = [&] {
    return metric(*osprey, "osprey_admission_queue_depth",
                  {{"model", "m"}, {"priority", "normal"}});
  };
  {
    Connection queued;
    ASSERT_TRUE(queued.connect(osprey->port()));
    ASSERT_TRUE(
        queued.send_request("POST", "/v1/chat/completions", chat_body("gone", false, 1.0), auth));
    ASSERT_TRUE(eventually([&] { return depth() == 1; }));
  }  // the client hangs up while queued
  EXPECT_TRUE(eventually([&] { return depth() == 0; }));
  EXPECT_TRUE(eventually([&] {
    return metric(*osprey, "osprey_admission_rejections_total",
                  {{"model", "m"}, {"reason", "client_closed"}}) == 1;
  }));
  holder.join();
  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(fake->stats().chat_calls, 1u) << "the abandoned request reached the upstream";
}

TEST(ResponseCache, OneTenantNeverGetsAnotherTenantsAnswer) {
  auto fake = start_fake();
  TempDir dir;
  auto osprey = start_osprey(dir, *fake, kCacheOn);
  ASSERT_NE(osprey, nullptr);
  const Headers acme = tenant_key(*osprey, "acme", json::object());
  const Headers globex = tenant_key(*osprey, "globex", json::object());
  ASSERT_FALSE(acme.empty());
  ASSERT_FALSE(globex.empty());

  EXPECT_EQ(chat(*osprey, acme, chat_body("secret plans")).header("x-osprey-cache"), "miss");
  EXPECT_EQ(chat(*osprey, globex, chat_body("secret plans")).header("x-osprey-cache"), "miss");
  EXPECT_EQ(fake->stats().chat_calls, 2u) << "globex was served acme's cached answer";
  EXPECT_EQ(chat(*osprey, acme, chat_body("secret plans")).header("x-osprey-cache"), "hit");
  EXPECT_EQ(chat(*osprey, globex, chat_body("secret plans")).header("x-osprey-cache"), "hit");
  EXPECT_EQ(fake->stats().chat_calls, 2u);
  // A tenant key cannot invalidate (admin only).
  EXPECT_EQ(http_request(osprey->port(), "POST", "/admin/cache/invalidate", R"({"all":true})", acme)
                .status,
            403);
}

TEST(ResponseCache, SharedCacheServesEveryTenant) {
  auto fake = start_fake();
  TempDir dir;
  auto osprey = start_osprey(dir, *fake, "cache:\n  enabled: true\n  shared: true\n");
  ASSERT_NE(osprey, nullptr);
  const Headers acme = tenant_key(*osprey, "acme", json::object());
  const Headers globex = tenant_key(*osprey, "globex", json::object());
  EXPECT_EQ(chat(*osprey, acme, chat_body("public fact")).header("x-osprey-cache"), "miss");
  EXPECT_EQ(chat(*osprey, globex, chat_body("public fact")).header("x-osprey-cache"), "hit");
  EXPECT_EQ(fake->stats().chat_calls, 1u);
}

// With the model at its limit of 2 and a slow upstream, low-priority requests queue first and
// high-priority ones after them; every queued high request still reaches the upstream before
// any queued low one.
TEST(Admission, QueuedHighPriorityRequestsAreAllServedBeforeQueuedLowOnes) {
  auto fake = start_fake({.latency_ms = 400});
  TempDir dir;
  auto osprey =
      start_osprey(dir, *fake,
                   "admission:\n"
                   "  models:\n"
                   "    m: {max_concurrent: 2, max_queue: 20, queue_timeout_ms: 60000}\n");
  ASSERT_NE(osprey, nullptr);
  const Headers high = tenant_key(*osprey, "gold", {{"priority", "high"}});
  const Headers low = tenant_key(*osprey, "bronze", {{"priority", "low"}});
  ASSERT_FALSE(high.empty());
  ASSERT_FALSE(low.empty());

  constexpr int kQueuedEach = 4;
  std::vector<HttpResponse> responses(2 + 2 * kQueuedEach);
  std::vector<std::thread> clients;
  for (int i = 0; i < 2; ++i) {
    clients.push_back(
        send_async(*osprey, low, chat_body("fill-" + std::to_string(i), false, 1.0), responses[i]));
  }
  ASSERT_TRUE(eventually([&] { return fake->stats().in_flight == 2; }));
  auto depth = [&](const char* priority) {
    return metric(*osprey, "osprey_admission_queue_depth",
                  {{"model", "m"}, {"priority", priority}});
  };
  for (int i = 0; i < kQueuedEach; ++i) {
    clients.push_back(send_async(*osprey, low, chat_body("low-" + std::to_string(i), false, 1.0),
                                 responses[2 + i]));
  }
  ASSERT_TRUE(eventually([&] { return depth("low") == kQueuedEach; }));
  for (int i = 0; i < kQueuedEach; ++i) {
    clients.push_back(send_async(*osprey, high, chat_body("high-" + std::to_string(i), false, 1.0),
                                 responses[2 + kQueuedEach + i]));
  }
  ASSERT_TRUE(eventually([&] { return depth("high") == kQueuedEach; }));
  for (auto& t : clients) t.join();
  for (const HttpResponse& r : responses) EXPECT_EQ(r.status, 200) << r.body;

  // The upstream's arrival order, by the text of each request.
  std::vector<std::string> order;
  for (const auto& request : fake->requests()) {
    const json body = json::parse(request.body);
    const json& content = body["messages"].back()["content"];
    order.push_back(content.is_string() ? content.get<std::string>()
                                        : content[0].value("text", std::string()));
  }
  ASSERT_EQ(order.size(), responses.size());
  std::size_t last_high = 0;
  std::size_t first_low = order.size();
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (order[i].rfind("high-", 0) == 0) last_high = i;
    if (order[i].rfind("low-", 0) == 0) first_low = std::min(first_low, i);
  }
  EXPECT_LT(last_high, first_low) << "upstream order: " << json(order).dump();
  EXPECT_EQ(depth("high"), 0);
  EXPECT_EQ(depth("low"), 0);
}

}  // namespace
}  // namespace osprey::testing
