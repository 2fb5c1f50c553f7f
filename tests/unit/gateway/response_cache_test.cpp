// The response cache: key normalization, the memory cache's LRU / TTL / byte bound and
// invalidation, and the stage's decisions (Cache-Control, temperature, tenant scoping).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "gateway/cache/cache_config.h"
#include "gateway/cache/cache_invalidate_route.h"
#include "gateway/cache/cache_key.h"
#include "gateway/cache/cache_stage.h"
#include "gateway/cache/memory_response_cache.h"
#include "providers/openai/openai_request_parser.h"

namespace osprey::gateway {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

template <typename T>
T run_task(net::Task<T> task) {
  boost::asio::io_context ioc;
  auto fut = boost::asio::co_spawn(ioc, std::move(task), boost::asio::use_future);
  ioc.run();
  return fut.get();
}

providers::ChatRequest parse(const std::string& text) {
  auto parsed = providers::openai::parse_chat_request_text(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? parsed.value() : providers::ChatRequest{};
}

std::string key_of(const std::string& text, std::string_view scope = "tenant:1") {
  return cache_key(parse(text), scope);
}

TEST(CacheKeyTest, UserIsIgnored) {
  EXPECT_EQ(key_of(R"({"model":"m","temperature":0,"messages":[{"role":"user","content":"hi"}]})"),
            key_of(R"({"model":"m","temperature":0,"user":"alice",)"
                   R"("messages":[{"role":"user","content":"hi"}]})"));
}

TEST(CacheKeyTest, JsonKeyOrderAndSpellingDoNotMatter) {
  const std::string a =
      R"({"model":"m","temperature":0,"max_tokens":5,"messages":[{"role":"user","content":"hi"}],)"
      R"("response_format":{"type":"json_object"},"metadata":{"a":1,"b":2}})";
  const std::string b = R"({ "metadata":{"b":2,"a":1}, "response_format":{"type":"json_object"},)"
                        R"( "messages":[{"content":[{"type":"text","text":"hi"}],"role":"user"}],)"
                        R"( "max_tokens":5, "temperature":0.0, "model":"m" })";
  EXPECT_EQ(key_of(a), key_of(b));
}

TEST(CacheKeyTest, EveryAnswerChangingFieldChangesTheKey) {
  const std::string base =
      R"({"model":"m","temperature":0,"messages":[{"role":"user","content":"hi"}]})";
  const std::string k = key_of(base);
  auto with = [&](const std::string& field) {
    std::string text = base;
    text.insert(1, field + ",");
    return key_of(text);
  };
  EXPECT_NE(
      k, key_of(R"({"model":"m","temperature":0.5,"messages":[{"role":"user","content":"hi"}]})"));
  EXPECT_NE(k,
            key_of(R"({"model":"n","temperature":0,"messages":[{"role":"user","content":"hi"}]})"));
  EXPECT_NE(k,
            key_of(R"({"model":"m","temperature":0,"messages":[{"role":"user","content":"ho"}]})"));
  EXPECT_NE(k, with(R"("max_tokens":7)"));
  EXPECT_NE(k, with(R"("top_p":0.5)"));
  EXPECT_NE(k, with(R"("seed":3)"));
  EXPECT_NE(k, with(R"("stop":["x"])"));
  EXPECT_NE(k, with(R"("stream":true)"));
  EXPECT_NE(k, with(R"("response_format":{"type":"json_object"})"));
  EXPECT_NE(k, with(R"("tools":[{"type":"function","function":{"name":"f","parameters":{}}}])"));
  EXPECT_NE(k, with(R"("tool_choice":"none")"));
  EXPECT_NE(k, with(R"("logprobs":true)"));  // unknown fields are forwarded, so they count
  // An image's detail level changes what the model sees.
  const std::string image =
      R"({"model":"m","temperature":0,"messages":[{"role":"user","content":[)"
      R"({"type":"image_url","image_url":{"url":"https://example.com/a.png"DETAIL}}]}]})";
  const auto image_key = [&](const std::string& detail) {
    std::string text = image;
    text.replace(text.find("DETAIL"), 6, detail);
    return key_of(text);
  };
  EXPECT_NE(image_key(""), image_key(R"(,"detail":"low")"));
  EXPECT_NE(image_key(R"(,"detail":"high")"), image_key(R"(,"detail":"low")"));
  EXPECT_EQ(image_key(""), image_key(R"(,"detail":null)"));
  // The scope separates tenants.
  EXPECT_NE(k, key_of(base, "tenant:2"));
  EXPECT_NE(k, key_of(base, "shared"));
}

TEST(CacheKeyTest, DeterministicOnlyWithTemperatureZero) {
  EXPECT_TRUE(is_deterministic(
      parse(R"({"model":"m","temperature":0,"messages":[{"role":"user","content":"x"}]})")));
  EXPECT_FALSE(is_deterministic(
      parse(R"({"model":"m","temperature":0.2,"messages":[{"role":"user","content":"x"}]})")));
  EXPECT_FALSE(
      is_deterministic(parse(R"({"model":"m","messages":[{"role":"user","content":"x"}]})")));
}

CachedAnswer answer(const std::string& body, const std::string& model = "m",
                    std::int64_t tenant = 1) {
  CachedAnswer a;
  a.body = body;
  a.model = model;
  a.requested_model = model;
  a.tenant_id = tenant;
  return a;
}

TEST(MemoryResponseCacheTest, EvictsLeastRecentlyUsedToStayUnderTheByteBound) {
  ManualClock clock;
  metrics::Registry registry;
  CacheMetrics metrics(registry);
  const std::size_t one = std::string("k1").size() + answer(std::string(1000, 'x')).bytes();
  MemoryResponseCache cache(3 * one, 1h, clock, &metrics);
  cache.put("k1", answer(std::string(1000, 'x')));
  cache.put("k2", answer(std::string(1000, 'x')));
  cache.put("k3", answer(std::string(1000, 'x')));
  EXPECT_EQ(cache.bytes(), 3 * one);
  ASSERT_NE(cache.get("k1"), nullptr);  // k1 is now the most recent; k2 the least
  cache.put("k4", answer(std::string(1000, 'x')));
  EXPECT_EQ(cache.get("k2"), nullptr);
  EXPECT_NE(cache.get("k1"), nullptr);
  EXPECT_NE(cache.get("k3"), nullptr);
  EXPECT_NE(cache.get("k4"), nullptr);
  EXPECT_LE(cache.bytes(), 3 * one);
  EXPECT_EQ(metrics.evicted_lru.value(), 1);
  EXPECT_EQ(metrics.bytes.value(), static_cast<double>(cache.bytes()));
  EXPECT_EQ(metrics.entries.value(), 3);
}

TEST(MemoryResponseCacheTest, EntryLargerThanTheBoundIsNotStored) {
  ManualClock clock;
  MemoryResponseCache cache(2048, 1h, clock, nullptr);
  cache.put("small", answer("ok"));
  cache.put("big", answer(std::string(4096, 'x')));
  EXPECT_EQ(cache.get("big"), nullptr);
  EXPECT_NE(cache.get("small"), nullptr);  // nothing was evicted for it
}

TEST(MemoryResponseCacheTest, EntriesExpireAfterTheTtl) {
  ManualClock clock;
  MemoryResponseCache cache(1 << 20, 100ms, clock, nullptr);
  cache.put("k", answer("ok"));
  clock.advance(99ms);
  EXPECT_NE(cache.get("k"), nullptr);
  clock.advance(1ms);
  EXPECT_EQ(cache.get("k"), nullptr);
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(MemoryResponseCacheTest, ReplacingAnEntryKeepsTheByteCountExact) {
  ManualClock clock;
  MemoryResponseCache cache(1 << 20, 1h, clock, nullptr);
  cache.put("k", answer(std::string(500, 'a')));
  cache.put("k", answer("short"));
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_EQ(cache.bytes(), std::string("k").size() + answer("short").bytes());
  EXPECT_EQ(cache.get("k")->body, "short");
}

TEST(MemoryResponseCacheTest, InvalidatesByModelByTenantOrBoth) {
  ManualClock clock;
  MemoryResponseCache cache(1 << 20, 1h, clock, nullptr);
  cache.put("a1", answer("x", "a", 1));
  cache.put("a2", answer("x", "a", 2));
  cache.put("b1", answer("x", "b", 1));
  cache.put("b2", answer("x", "b", 2));
  EXPECT_EQ(cache.erase_matching({.model = "a", .tenant_id = 2}), 1u);
  EXPECT_EQ(cache.get("a2"), nullptr);
  EXPECT_EQ(cache.erase_matching({.model = std::nullopt, .tenant_id = 1}), 2u);
  EXPECT_EQ(cache.get("a1"), nullptr);
  EXPECT_EQ(cache.get("b1"), nullptr);
  EXPECT_EQ(run_task(cache.invalidate({.model = "b", .tenant_id = std::nullopt})), 1u);
  EXPECT_EQ(cache.entries(), 0u);
}

class CacheStageTest : public ::testing::Test {
 protected:
  CacheStage stage(CacheConfig config) {
    config.enabled = true;
    return CacheStage(config, cache_, metrics_);
  }
  static Principal tenant(std::int64_t id) {
    Principal p;
    p.tenant_id = id;
    return p;
  }
  ManualClock clock_;
  metrics::Registry registry_;
  CacheMetrics metrics_{registry_};
  std::shared_ptr<MemoryResponseCache> cache_ =
      std::make_shared<MemoryResponseCache>(1 << 20, 1h, clock_, &metrics_);
};

const std::string kZero =
    R"({"model":"m","temperature":0,"messages":[{"role":"user","content":"hi"}]})";
const std::string kWarm =
    R"({"model":"m","temperature":0.7,"messages":[{"role":"user","content":"hi"}]})";

TEST_F(CacheStageTest, DisabledCacheNeitherLooksUpNorStores) {
  CacheStage s(CacheConfig{}, cache_, metrics_);
  CachePlan plan = s.plan(parse(kZero), tenant(1), "");
  EXPECT_FALSE(plan.lookup);
  EXPECT_FALSE(plan.store);
  EXPECT_EQ(plan.miss_header(), "");
}

TEST_F(CacheStageTest, NondeterministicRequestsBypassUnlessConfigured) {
  EXPECT_EQ(stage({}).plan(parse(kWarm), tenant(1), "").miss_header(), "bypass");
  EXPECT_EQ(stage({}).plan(parse(kZero), tenant(1), "").miss_header(), "miss");
  CacheConfig config;
  config.cache_nondeterministic = true;
  CachePlan plan = stage(config).plan(parse(kWarm), tenant(1), "");
  EXPECT_TRUE(plan.lookup);
  EXPECT_TRUE(plan.store);
}

TEST_F(CacheStageTest, CacheControlNoCacheSkipsLookupButStores) {
  CachePlan plan = stage({}).plan(parse(kZero), tenant(1), "max-age=0, No-Cache");
  EXPECT_FALSE(plan.lookup);
  EXPECT_TRUE(plan.store);
  CachePlan none = stage({}).plan(parse(kZero), tenant(1), "no-store");
  EXPECT_FALSE(none.lookup);
  EXPECT_FALSE(none.store);
  EXPECT_EQ(none.miss_header(), "bypass");
}

TEST_F(CacheStageTest, TenantsDoNotShareEntriesUnlessShared) {
  CacheStage s = stage({});
  CachePlan one = s.plan(parse(kZero), tenant(1), "");
  CachePlan two = s.plan(parse(kZero), tenant(2), "");
  EXPECT_NE(one.key, two.key);
  s.store(one, answer(R"({"id":"x"})"));
  EXPECT_TRUE(run_task(s.lookup(one)).has_value());
  EXPECT_FALSE(run_task(s.lookup(two)).has_value());

  CacheConfig shared;
  shared.shared = true;
  CacheStage t = stage(shared);
  CachePlan a = t.plan(parse(kZero), tenant(1), "");
  CachePlan b = t.plan(parse(kZero), tenant(2), "");
  EXPECT_EQ(a.key, b.key);
  t.store(a, answer(R"({"id":"y"})"));
  std::optional<net::Response> hit = run_task(t.lookup(b));
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->body, R"({"id":"y"})");
  EXPECT_EQ(hit->headers.get("x-osprey-cache"), "hit");
}

TEST_F(CacheStageTest, HitsAndMissesAreCounted) {
  CacheStage s = stage({});
  CachePlan plan = s.plan(parse(kZero), tenant(1), "");
  EXPECT_FALSE(run_task(s.lookup(plan)).has_value());
  s.store(plan, answer("{}"));
  EXPECT_TRUE(run_task(s.lookup(plan)).has_value());
  EXPECT_EQ(metrics_.misses.value(), 1);
  EXPECT_EQ(metrics_.hits.value(), 1);
  EXPECT_EQ(metrics_.stores.value(), 1);
}

net::Response invalidate(CacheInvalidateRoute& route, std::string body) {
  net::Request request;
  request.body = std::move(body);
  request.request_id = "req-1";
  return run_task(route.handle(request));
}

TEST(CacheInvalidateRouteTest, DropsWhatTheBodyNamesAndRefusesAnEmptyMatch) {
  ManualClock clock;
  auto cache = std::make_shared<MemoryResponseCache>(1 << 20, 1h, clock, nullptr);
  cache->put("a1", answer("x", "a", 1));
  cache->put("a2", answer("x", "a", 2));
  cache->put("b1", answer("x", "b", 1));
  CacheInvalidateRoute route(cache);
  for (const char* bad :
       {"", "{}", "[]", R"({"model":5})", R"({"tenant":1})", R"({"all":true,"model":"a"})"}) {
    net::Response r = invalidate(route, bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "invalid_request") << bad;
  }
  EXPECT_EQ(cache->entries(), 3u);
  net::Response by_both = invalidate(route, R"({"model":"a","tenant_id":2})");
  ASSERT_EQ(by_both.status, 200);
  EXPECT_EQ(json::parse(by_both.body)["invalidated"], 1);
  EXPECT_EQ(json::parse(invalidate(route, R"({"all":true})").body)["invalidated"], 2);
  EXPECT_EQ(cache->entries(), 0u);
}

TEST(CacheConfigTest, ParsesAndNamesBadKeys) {
  auto config = parse_cache_config(json{{"cache",
                                         {{"enabled", true},
                                          {"max_bytes", 1048576},
                                          {"ttl_ms", 2000},
                                          {"shared", true},
                                          {"cache_nondeterministic", true}}}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->enabled);
  EXPECT_EQ(config->max_bytes, 1048576);
  EXPECT_EQ(config->ttl, 2000ms);
  EXPECT_TRUE(config->shared);
  EXPECT_TRUE(config->cache_nondeterministic);
  auto bytes = parse_cache_config(json{{"cache", {{"max_bytes", "lots"}}}});
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().message.rfind("cache.max_bytes:", 0), 0u) << bytes.error().message;
  auto unknown = parse_cache_config(json{{"cache", {{"max_entries", 5}}}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("cache.max_entries"), std::string::npos);
}

}  // namespace
}  // namespace osprey::gateway
