// POST /v1/chat/completions over a real ModelRouter with scripted providers: request parsing
// errors, unknown models, JSON answers, SSE relays (usage, [DONE], mid-stream failure) and
// routing headers, without sockets.
#include "gateway/chat_completions_route.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "gateway/cache/memory_response_cache.h"
#include "gateway/validation/request_validator.h"
#include "net/event_stream.h"
#include "net/http_client.h"
#include "router/model_router.h"
#include "unit/gateway/scripted_provider.h"

namespace osprey::gateway {
namespace {

using json = nlohmann::json;
using testing::ScriptBook;

// Records what a streaming response sends, and how many events each write carried;
// `fail_after` makes the client "leave".
class RecordingStream final : public net::EventStream {
 public:
  std::vector<std::string> sent;
  std::vector<std::size_t> writes;
  int fail_after = -1;
  bool ended = false;  // send_last() came; nothing may follow it
  net::Task<bool> send(std::string_view data, std::string_view, std::string_view) override {
    if (ended) ADD_FAILURE() << "a write after send_last";
    if (fail_after >= 0 && static_cast<int>(sent.size()) >= fail_after) co_return false;
    sent.emplace_back(data);
    writes.push_back(1);
    co_return true;
  }
  net::Task<bool> send_all(std::span<const std::string> data) override {
    if (ended) ADD_FAILURE() << "a write after send_last";
    for (const std::string& one : data) {
      if (fail_after >= 0 && static_cast<int>(sent.size()) >= fail_after) co_return false;
      sent.push_back(one);
    }
    writes.push_back(data.size());
    co_return true;
  }
  net::Task<bool> send_last(std::span<const std::string> data) override {
    if (ended) ADD_FAILURE() << "a second send_last";
    const bool ok = co_await send_all(data);
    ended = true;
    co_return ok;
  }
  net::Task<bool> comment(std::string_view) override { co_return true; }
  bool closing() const override { return false; }
  net::Task<bool> sleep(std::chrono::milliseconds) override { co_return true; }
};

json model(const std::string& name, const std::vector<std::string>& fallbacks = {}) {
  return {{"name", name},
          {"deployments",
           {{{"id", name + "@scripted"},
             {"adapter", "openai"},
             {"base_url", "http://scripted"},
             {"model", "up-" + name}}}},
          {"fallbacks", fallbacks},
          {"retry", {{"max_attempts", 2}, {"base_delay_ms", 0}, {"max_delay_ms", 0}}},
          {"health", {{"enabled", false}}}};
}

class ChatCompletionsRouteTest : public ::testing::Test {
 protected:
  ChatCompletionsRouteTest()
      : clock_(std::chrono::steady_clock::now(), std::chrono::system_clock::now()) {
    testing::register_scripted(registry_, book_);
    router::RouterOptions options;
    options.seed = 1;
    options.sleep = [](std::chrono::milliseconds,
                       std::shared_ptr<net::CancelToken>) -> net::Task<void> { co_return; };
    router_ = std::make_unique<router::ModelRouter>(registry_, client_, registry_metrics_, clock_,
                                                    std::move(options));
    json sections = {{"models", {model("chat"), model("primary", {"chat"})}}};
    auto config = router::parse_router_config(sections, {});
    EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().message);
    EXPECT_TRUE(router_->load(config.value()).ok());
    providers::ChatResponse answer;
    answer.id = "resp-1";
    answer.model = "up-chat";
    answer.content.push_back(providers::TextBlock{"hi there"});
    answer.stop_reason = providers::StopReason::kEndTurn;
    answer.usage = {3, 2};
    book_.by_model["up-chat"].response = answer;
    book_.by_model["up-chat"].events = {
        providers::MessageStartEvent{"resp-1", "up-chat"}, providers::TextDeltaEvent{0, "hi "},
        providers::TextDeltaEvent{0, "there"},
        providers::MessageStopEvent{providers::StopReason::kEndTurn}, providers::UsageEvent{3, 2}};
    providers::UpstreamError down;
    down.code = ErrorCode::kUpstreamError;
    down.http_status = 503;
    down.message = "primary is down";
    down.retryable = true;
    book_.by_model["up-primary"].error = down;
  }

  net::Response call(std::string body) {
    net::Request request;
    request.method = "POST";
    request.body = std::move(body);
    request.request_id = "req-1";
    request.cancel = cancel_;
    auto validator = validation::RequestValidator::create(validation_);
    EXPECT_TRUE(validator.ok()) << (validator.ok() ? "" : validator.error().message);
    ChatStages stages = stages_;
    stages.validator = validator.value().get();
    ChatCompletionsRoute route(*router_, metrics_, clock_, GatewayOptions{}, stages);
    std::optional<net::Response> out;
    boost::asio::io_context io;
    boost::asio::co_spawn(
        io, [&]() -> net::Task<void> { out.emplace(co_await route.handle(request, principal_)); },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    io.run();
    return std::move(*out);
  }

  void run_stream(net::Response& response, RecordingStream& out) {
    ASSERT_TRUE(response.stream);
    boost::asio::io_context io;
    boost::asio::co_spawn(
        io, [&]() -> net::Task<void> { co_await response.stream(out); },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    io.run();
  }

  ScriptBook book_;
  providers::ProviderRegistry registry_;
  net::HttpClient client_;
  metrics::Registry registry_metrics_;
  GatewayMetrics metrics_{registry_metrics_};
  ManualClock clock_;
  std::unique_ptr<router::ModelRouter> router_;
  std::shared_ptr<net::CancelToken> cancel_ = std::make_shared<net::CancelToken>();
  Principal principal_;                      // every model allowed unless a test narrows the plan
  ChatStages stages_;                        // no cache, no admission unless a test sets them
  validation::ValidationConfig validation_;  // the validation stage is always on
};

const std::string kHello = R"({"model":"chat","messages":[{"role":"user","content":"hi"}]})";

TEST_F(ChatCompletionsRouteTest, InvalidJsonIs400InvalidRequest) {
  net::Response r = call("{nope");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "invalid_request");
  EXPECT_TRUE(book_.calls.empty());
}

TEST_F(ChatCompletionsRouteTest, ModelOutsideTheKeysPlanIs403WithoutAnUpstreamCall) {
  principal_.plan.allowed_models = {"primary"};
  net::Response r = call(kHello);
  EXPECT_EQ(r.status, 403);
  const json error = json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "forbidden");
  EXPECT_EQ(error["message"].get<std::string>().rfind("model_not_allowed: ", 0), 0u);
  EXPECT_TRUE(book_.calls.empty());
}

TEST_F(ChatCompletionsRouteTest, MissingMessagesNamesTheField) {
  net::Response r = call(R"({"model":"chat"})");
  EXPECT_EQ(r.status, 400);
  const std::string message = json::parse(r.body)["error"]["message"];
  EXPECT_NE(message.find("messages"), std::string::npos) << message;
}

TEST_F(ChatCompletionsRouteTest, SchemaViolationIs400NamingTheFieldInParam) {
  net::Response r = call(
      R"({"model":"chat","messages":[{"role":"user","content":"hi"},{"role":"robot","content":"x"}]})");
  EXPECT_EQ(r.status, 400);
  const json error = json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "invalid_request");
  EXPECT_EQ(error["param"], "messages[1].role");
  EXPECT_NE(error["message"].get<std::string>().find("messages[1].role"), std::string::npos);
  EXPECT_TRUE(book_.calls.empty());
}

TEST_F(ChatCompletionsRouteTest, DeniedPromptIs400ContentDeniedAndNeverReachesTheProvider) {
  validation_.deny_rules = {{"no-keys", "BEGIN [A-Z]+ PRIVATE KEY", false}};
  net::Response r = call(
      R"({"model":"chat","messages":[{"role":"user","content":"see -----BEGIN RSA PRIVATE KEY-----"}]})");
  EXPECT_EQ(r.status, 400);
  const json error = json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "content_denied");
  EXPECT_NE(error["message"].get<std::string>().find("no-keys"), std::string::npos);
  EXPECT_EQ(error["message"].get<std::string>().find("PRIVATE KEY"), std::string::npos);
  EXPECT_TRUE(book_.calls.empty());
  // The same rule lets other prompts through.
  EXPECT_EQ(call(kHello).status, 200);
}

TEST_F(ChatCompletionsRouteTest, UnknownModelIs404ModelNotFound) {
  net::Response r = call(R"({"model":"nope","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(r.status, 404);
  const json error = json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "not_found");
  EXPECT_EQ(error["request_id"], "req-1");
  EXPECT_NE(error["message"].get<std::string>().find("model_not_found"), std::string::npos);
}

TEST_F(ChatCompletionsRouteTest, AnswerIsOpenAiJsonWithPublicModelAndDeploymentHeader) {
  net::Response r = call(kHello);
  ASSERT_EQ(r.status, 200) << r.body;
  const json body = json::parse(r.body);
  EXPECT_EQ(body["model"], "chat");
  EXPECT_EQ(body["choices"][0]["message"]["content"], "hi there");
  EXPECT_EQ(body["usage"]["total_tokens"], 5);
  EXPECT_EQ(r.headers.get("x-osprey-deployment"), "chat@scripted");
  EXPECT_EQ(r.headers.get("x-osprey-model"), "");
  ASSERT_EQ(book_.calls.size(), 1u);
  EXPECT_EQ(book_.calls[0].request_id, "req-1");
  EXPECT_EQ(book_.calls[0].cancel, cancel_);  // the server's token reaches the provider
  EXPECT_TRUE(book_.calls[0].deadline.has_value());
}

TEST_F(ChatCompletionsRouteTest, FallbackAnswerNamesTheModelThatAnswered) {
  net::Response r = call(R"({"model":"primary","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.get("x-osprey-model"), "chat");
  EXPECT_EQ(r.headers.get("x-osprey-deployment"), "chat@scripted");
}

TEST_F(ChatCompletionsRouteTest, UpstreamErrorKeepsItsCode) {
  book_.by_model["up-chat"].error = book_.by_model["up-primary"].error;
  net::Response r = call(kHello);
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "upstream_error");
}

TEST_F(ChatCompletionsRouteTest, StreamRelaysChunksUsageThenDone) {
  net::Response r = call(
      R"({"model":"chat","stream":true,"stream_options":{"include_usage":true},
          "messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("x-osprey-deployment"), "chat@scripted");
  RecordingStream out;
  run_stream(r, out);
  ASSERT_GE(out.sent.size(), 3u);
  EXPECT_EQ(out.sent.back(), "[DONE]");
  std::string text;
  bool usage = false;
  for (std::size_t i = 0; i + 1 < out.sent.size(); ++i) {
    const json chunk = json::parse(out.sent[i]);
    EXPECT_EQ(chunk["model"], "chat");
    for (const auto& c : chunk["choices"]) {
      if (c["delta"].contains("content")) text += c["delta"]["content"].get<std::string>();
    }
    if (chunk.contains("usage") && chunk["usage"].is_object()) {
      usage = true;
      EXPECT_EQ(chunk["usage"]["completion_tokens"], 2);
    }
  }
  EXPECT_EQ(text, "hi there");
  EXPECT_TRUE(usage);
}

// Events that arrive together leave together, and a stream whose events each come alone sends
// each at once (never held back waiting for the next): the same events either way.
TEST_F(ChatCompletionsRouteTest, EventsThatArriveTogetherShareAWrite) {
  const std::string body =
      R"({"model":"chat","stream":true,"stream_options":{"include_usage":true},
          "messages":[{"role":"user","content":"hi"}]})";
  net::Response one_by_one = call(body);
  RecordingStream alone;
  run_stream(one_by_one, alone);
  ASSERT_EQ(alone.sent.size(), 6u);
  // Each chunk at once; only the end (the usage chunk and [DONE], ready together) shares a write.
  EXPECT_EQ(alone.writes, (std::vector<std::size_t>{1, 1, 1, 1, 2}));
  EXPECT_TRUE(alone.ended);  // the last write said so, so the response's end can share it

  book_.by_model["up-chat"].burst = true;
  net::Response together = call(body);
  RecordingStream burst;
  run_stream(together, burst);
  ASSERT_EQ(burst.sent.size(), alone.sent.size());
  for (std::size_t i = 0; i < burst.sent.size(); ++i) {
    json a = json::parse(burst.sent[i] == "[DONE]" ? "null" : burst.sent[i]);
    json b = json::parse(alone.sent[i] == "[DONE]" ? "null" : alone.sent[i]);
    if (a.is_object()) a.erase("created");
    if (b.is_object()) b.erase("created");
    EXPECT_EQ(a, b) << i;
  }
  // The burst's four chunks (its usage event writes none of its own) in one write, then the
  // usage chunk and [DONE] in another.
  EXPECT_EQ(burst.writes, (std::vector<std::size_t>{4, 2}));
  EXPECT_TRUE(burst.ended);
}

TEST_F(ChatCompletionsRouteTest, StreamFailureMidwaySendsErrorEventAndNoDone) {
  providers::UpstreamError cut;
  cut.code = ErrorCode::kUpstreamError;
  cut.message = "stream cut";
  book_.by_model["up-chat"].stream_error = cut;
  book_.by_model["up-chat"].events.resize(2);  // start + one delta, then the cut
  net::Response r =
      call(R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  RecordingStream out;
  run_stream(r, out);
  ASSERT_FALSE(out.sent.empty());
  EXPECT_TRUE(out.ended);
  EXPECT_NE(out.sent.back(), "[DONE]");
  const json last = json::parse(out.sent.back());
  EXPECT_EQ(last["error"]["code"], "upstream_error");
  EXPECT_EQ(last["error"]["message"], "stream cut");
  EXPECT_EQ(last["error"]["request_id"], "req-1");
  EXPECT_NE(registry_metrics_.render().find("outcome=\"stream_failed\"} 1"), std::string::npos);
}

TEST_F(ChatCompletionsRouteTest, ClientGoneDuringStreamFiresCancel) {
  net::Response r =
      call(R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  RecordingStream out;
  out.fail_after = 1;
  run_stream(r, out);
  EXPECT_EQ(out.sent.size(), 1u);
  EXPECT_TRUE(cancel_->cancelled());
}

TEST_F(ChatCompletionsRouteTest, StreamThatCannotOpenGetsAnHttpError) {
  net::Response r =
      call(R"({"model":"nope","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(r.stream);
}

// The cache and admission stages inside the route.
class ChatPipelineStagesTest : public ChatCompletionsRouteTest {
 protected:
  ChatPipelineStagesTest() {
    CacheConfig config;
    config.enabled = true;
    cache_ = std::make_unique<CacheStage>(config, store_, cache_metrics_);
    stages_.cache = cache_.get();
  }
  void limit_admission(int concurrent, int queue) {
    AdmissionConfig config;
    config.defaults.max_concurrent = concurrent;
    config.defaults.max_queue = queue;
    admission_ = std::make_unique<AdmissionControl>(config, registry_metrics_, clock_);
    stages_.admission = admission_.get();
  }
  CacheMetrics cache_metrics_{registry_metrics_};
  std::shared_ptr<MemoryResponseCache> store_ = std::make_shared<MemoryResponseCache>(
      1 << 20, std::chrono::minutes(5), clock_, &cache_metrics_);
  std::unique_ptr<CacheStage> cache_;
  std::unique_ptr<AdmissionControl> admission_;
};

const std::string kZero =
    R"({"model":"chat","temperature":0,"messages":[{"role":"user","content":"hi"}]})";
const std::string kZeroStream =
    R"({"model":"chat","temperature":0,"stream":true,"messages":[{"role":"user","content":"hi"}]})";

TEST_F(ChatPipelineStagesTest, RepeatedRequestIsAnsweredFromTheCache) {
  net::Response first = call(kZero);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.headers.get("x-osprey-cache"), "miss");
  net::Response second = call(kZero);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.headers.get("x-osprey-cache"), "hit");
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.headers.get("x-osprey-deployment"), "chat@scripted");
  EXPECT_EQ(book_.calls.size(), 1u);
}

TEST_F(ChatPipelineStagesTest, FailedAnswerIsNotStored) {
  book_.by_model["up-chat"].error = book_.by_model["up-primary"].error;
  EXPECT_EQ(call(kZero).status, 502);
  book_.by_model["up-chat"].error.reset();
  const std::size_t before = book_.calls.size();
  EXPECT_EQ(call(kZero).headers.get("x-osprey-cache"), "miss");
  EXPECT_EQ(book_.calls.size(), before + 1);
}

TEST_F(ChatPipelineStagesTest, StreamedHitReplaysTheSameEvents) {
  net::Response first = call(kZeroStream);
  EXPECT_EQ(first.headers.get("x-osprey-cache"), "miss");
  RecordingStream original;
  run_stream(first, original);
  ASSERT_EQ(original.sent.back(), "[DONE]");
  net::Response second = call(kZeroStream);
  EXPECT_EQ(second.headers.get("x-osprey-cache"), "hit");
  RecordingStream replayed;
  run_stream(second, replayed);
  EXPECT_EQ(replayed.sent, original.sent);
  EXPECT_EQ(book_.calls.size(), 1u);
}

TEST_F(ChatPipelineStagesTest, CutOrAbandonedStreamIsNotStored) {
  {
    net::Response r = call(kZeroStream);
    RecordingStream gone;
    gone.fail_after = 2;  // the client leaves before [DONE]
    run_stream(r, gone);
    cancel_ = std::make_shared<net::CancelToken>();  // the next request is a new client
  }
  {
    net::Response r = call(kZeroStream);  // never run at all
  }
  EXPECT_EQ(store_->entries(), 0u);
  EXPECT_EQ(call(kZeroStream).headers.get("x-osprey-cache"), "miss");
}

TEST_F(ChatPipelineStagesTest, AdmissionSlotIsHeldUntilTheStreamEnds) {
  limit_admission(1, 0);
  net::Response stream =
      call(R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(stream.status, 200);
  net::Response refused = call(kHello);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(json::parse(refused.body)["error"]["code"], "queue_full");
  EXPECT_FALSE(refused.headers.get("Retry-After").empty());
  RecordingStream out;
  run_stream(stream, out);
  stream = net::Response{};  // the producer (and the permit it holds) is gone
  EXPECT_EQ(call(kHello).status, 200);
  EXPECT_EQ(book_.calls.size(), 2u);
}

TEST_F(ChatPipelineStagesTest, CacheHitTakesNoAdmissionSlot) {
  limit_admission(1, 0);
  ASSERT_EQ(call(kZeroStream).status, 200);  // miss; the response is dropped unrun
  net::Response held =
      call(R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"x"}]})");
  ASSERT_EQ(held.status, 200);  // holds the only slot
  net::Response first = call(kZero);
  EXPECT_EQ(first.status, 429);  // a miss needs the slot
  RecordingStream out;
  run_stream(held, out);
  held = net::Response{};
  ASSERT_EQ(call(kZero).status, 200);  // stored now
  net::Response blocker =
      call(R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"y"}]})");
  ASSERT_EQ(blocker.status, 200);
  net::Response hit = call(kZero);
  EXPECT_EQ(hit.status, 200);
  EXPECT_EQ(hit.headers.get("x-osprey-cache"), "hit");
}

}  // namespace
}  // namespace osprey::gateway
