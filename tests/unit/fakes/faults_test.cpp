#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "unit/fakes/fake_fixture.h"

namespace osprey::fakes::testing {
namespace {

using nlohmann::json;

const char* kChat = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
const char* kStreamChat =
    R"({"model":"m","stream":true,"messages":[{"role":"user","content":"one two three four"}]})";

WireResult chat(const FakeUpstream& fake, const std::string& body = kChat) {
  return wire_call(fake.port(), "POST", "/v1/chat/completions", {}, body);
}

WireResult post_faults(const FakeUpstream& fake, const std::string& body) {
  return wire_call(fake.port(), "POST", "/_fake/faults", {}, body);
}

// Polls the stats until `pred` holds or ~5 s pass (waiting on another thread, not timing).
template <typename Pred>
bool eventually(const FakeUpstream& fake, Pred pred) {
  for (int i = 0; i < 500; ++i) {
    if (pred(fake.stats())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(Faults, FailRateFailsAboutThatFractionDeterministically) {
  FakeUpstreamOptions o = options_for(Vendor::kOpenAi);
  o.faults.fail_rate = 0.3;
  o.seed = 42;
  o.record_limit = 0;
  auto fake = start_fake(o);
  int failed = 0;
  constexpr int kCalls = 1000;
  for (int i = 0; i < kCalls; ++i) {
    const WireResult r = chat(*fake);
    ASSERT_TRUE(r.status == 200 || r.status == 500) << r.status;
    if (r.status == 500) {
      ++failed;
      if (failed == 1) {
        EXPECT_EQ(json_of(r)["error"]["type"], "server_error");
      }
    }
  }
  EXPECT_NEAR(failed / static_cast<double>(kCalls), 0.3, 0.05);
  EXPECT_EQ(fake->stats().injected_failures, static_cast<std::uint64_t>(failed));

  // Same seed, same sequence of outcomes.
  auto again = start_fake(o);
  int failed_again = 0;
  for (int i = 0; i < 100; ++i) failed_again += chat(*again).status == 500;
  auto first = start_fake(o);
  int failed_first = 0;
  for (int i = 0; i < 100; ++i) failed_first += chat(*first).status == 500;
  EXPECT_EQ(failed_again, failed_first);
}

TEST(Faults, Status429CarriesRetryAfterHeaders) {
  FakeUpstreamOptions o = options_for(Vendor::kOpenAi);
  o.faults.status = 429;
  o.faults.retry_after_s = 7;
  auto fake = start_fake(o);
  const WireResult r = chat(*fake);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.header("retry-after"), "7");
  EXPECT_EQ(r.header("retry-after-ms"), "7000");
  const json e = json_of(r)["error"];
  EXPECT_EQ(e["code"], "rate_limit_exceeded");
  // Probes are not chat calls: a forced chat status leaves them healthy.
  EXPECT_EQ(wire_call(fake->port(), "GET", "/v1/models").status, 200);
}

TEST(Faults, CutAfterChunksTruncatesTheStreamWithoutTerminator) {
  FakeUpstreamOptions o = options_for(Vendor::kOpenAi);
  o.faults.cut_after_chunks = 2;
  auto fake = start_fake(o);
  const WireResult r = chat(*fake, kStreamChat);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.complete);
  const auto events = parse_sse(r.body);
  EXPECT_EQ(events.size(), 2u);
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);

  ASSERT_TRUE(fake->patch_faults(json{{"cut_after_chunks", -1}}).ok());
  const WireResult whole = chat(*fake, kStreamChat);
  EXPECT_TRUE(whole.complete);
  EXPECT_NE(whole.body.find("data: [DONE]"), std::string::npos);
}

TEST(Faults, CutAfterChunksAlsoCutsNdjsonStreams) {
  FakeUpstreamOptions o = options_for(Vendor::kOllama);
  o.faults.cut_after_chunks = 1;
  auto fake = start_fake(o);
  const WireResult r = wire_call(fake->port(), "POST", "/api/chat", {}, kStreamChat);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.body.find("\"done\":true"), std::string::npos);
}

TEST(Faults, RuntimePostChangesBehaviourAndTheFakeRecovers) {
  auto fake = start_fake(options_for(Vendor::kOpenAi));
  EXPECT_EQ(chat(*fake).status, 200);
  WireResult set = post_faults(*fake, R"({"status":503})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(json_of(set)["status"], 503);
  EXPECT_EQ(chat(*fake).status, 503);
  EXPECT_EQ(post_faults(*fake, R"({"reset":true})").status, 200);
  EXPECT_EQ(chat(*fake).status, 200);

  const WireResult bad = post_faults(*fake, R"({"fail_rate":"lots"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(json_of(bad)["error"].get<std::string>().find("fail_rate"), std::string::npos);
  EXPECT_EQ(wire_call(fake->port(), "GET", "/_fake/faults").status, 200);
}

TEST(Faults, DownResetsEveryRequestButTheControlEndpoints) {
  auto fake = start_fake(options_for(Vendor::kOllama));
  ASSERT_EQ(post_faults(*fake, R"({"down":true})").status, 200);
  WireResult r = wire_call(fake->port(), "GET", "/api/tags");
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());
  r = wire_call(fake->port(), "POST", "/api/chat", {}, kChat);
  EXPECT_EQ(r.status, 0);
  ASSERT_EQ(post_faults(*fake, R"({"down":false})").status, 200);
  EXPECT_EQ(wire_call(fake->port(), "GET", "/api/tags").status, 200);
}

TEST(Faults, HangNeverAnswersAndCountsTheClientLeaving) {
  auto fake = start_fake(options_for(Vendor::kAnthropic));
  ASSERT_TRUE(fake->patch_faults(json{{"hang", true}}).ok());
  send_and_disconnect(
      fake->port(), "/v1/messages", {{"x-api-key", "k"}, {"anthropic-version", "2023-06-01"}},
      R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}]})", 50);
  EXPECT_TRUE(eventually(*fake, [](const FakeStats& s) { return s.cancelled == 1; }));
  EXPECT_TRUE(eventually(*fake, [](const FakeStats& s) { return s.in_flight == 0; }));
  EXPECT_EQ(fake->stats().chat_calls, 1u);
}

TEST(Faults, ClientLeavingDuringLatencyOrASlowStreamIsCancelled) {
  FakeUpstreamOptions o = options_for(Vendor::kOpenAi);
  o.faults.latency_ms = 60'000;
  auto fake = start_fake(o);
  send_and_disconnect(fake->port(), "/v1/chat/completions", {}, kChat, 20);
  EXPECT_TRUE(eventually(*fake, [](const FakeStats& s) { return s.cancelled == 1; }));

  ASSERT_TRUE(fake->patch_faults(json{{"latency_ms", 0}, {"chunk_delay_ms", 60'000}}).ok());
  send_and_disconnect(fake->port(), "/v1/chat/completions", {}, kStreamChat, 20);
  EXPECT_TRUE(eventually(*fake, [](const FakeStats& s) { return s.cancelled == 2; }));
  EXPECT_TRUE(eventually(*fake, [](const FakeStats& s) { return s.in_flight == 0; }));
}

TEST(Faults, MalformedGives200WithInvalidJson) {
  FakeUpstreamOptions o = options_for(Vendor::kBedrock);
  o.faults.malformed = true;
  auto fake = start_fake(o);
  const WireResult r = wire_call(
      fake->port(), "POST", "/model/m/converse",
      {{"Authorization", "AWS4-HMAC-SHA256 Credential=A/x, SignedHeaders=host, Signature=s"},
       {"X-Amz-Date", "20250101T000000Z"}},
      R"({"messages":[{"role":"user","content":[{"text":"hi"}]}]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(json::parse(r.body, nullptr, false).is_discarded());
}

TEST(Faults, ProbeFailFailsHealthEndpointsOnly) {
  FakeUpstreamOptions o = options_for(Vendor::kOllama);
  o.faults.probe_fail = true;
  auto fake = start_fake(o);
  const WireResult probe = wire_call(fake->port(), "GET", "/api/tags");
  EXPECT_EQ(probe.status, 503);
  EXPECT_TRUE(json_of(probe)["error"].is_string());
  EXPECT_EQ(wire_call(fake->port(), "POST", "/api/chat", {},
                      R"({"model":"m","stream":false,"messages":[{"role":"user","content":"x"}]})")
                .status,
            200);
}

TEST(Faults, IgnoreToolsAnswersTextWhenToolsAreOffered) {
  auto fake = start_fake(options_for(Vendor::kOpenAi));
  const std::string body =
      R"({"model":"m","messages":[{"role":"user","content":"go"}],"tools":[{"type":"function",)"
      R"("function":{"name":"move_north","parameters":{"type":"object"}}}]})";
  const json with_tools =
      json_of(wire_call(fake->port(), "POST", "/v1/chat/completions", {}, body));
  EXPECT_EQ(with_tools["choices"][0]["message"]["tool_calls"][0]["function"]["name"], "move_north");
  ASSERT_TRUE(fake->patch_faults(json{{"ignore_tools", true}}).ok());
  const json ignored = json_of(wire_call(fake->port(), "POST", "/v1/chat/completions", {}, body));
  EXPECT_FALSE(ignored["choices"][0]["message"].contains("tool_calls"));
  EXPECT_EQ(ignored["choices"][0]["message"]["content"], "echo: go");
}

TEST(Faults, StatsAndRequestsAreServedOverHttp) {
  auto fake = start_fake(options_for(Vendor::kOpenAi));
  EXPECT_EQ(chat(*fake).status, 200);
  EXPECT_EQ(wire_call(fake->port(), "GET", "/v1/models").status, 200);
  const json stats = json_of(wire_call(fake->port(), "GET", "/_fake/stats"));
  EXPECT_EQ(stats["calls"], 2);
  EXPECT_EQ(stats["chat_calls"], 1);
  EXPECT_EQ(stats["probe_calls"], 1);
  EXPECT_EQ(stats["in_flight"], 0);
  EXPECT_EQ(stats["cancelled"], 0);
  const json reqs = json_of(wire_call(fake->port(), "GET", "/_fake/requests"));
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0]["method"], "POST");
  EXPECT_EQ(reqs[0]["path"], "/v1/chat/completions");
  EXPECT_EQ(json::parse(reqs[0]["body"].get<std::string>())["model"], "m");
  EXPECT_TRUE(reqs[0]["headers"]["host"].is_string());
  EXPECT_EQ(wire_call(fake->port(), "DELETE", "/_fake/requests").status, 200);
  EXPECT_TRUE(fake->requests().empty());
}

}  // namespace
}  // namespace osprey::fakes::testing
