// RouterChatCaller over a real ModelRouter with scripted providers and a real limits stage: a
// job's call is answered on an io_context thread while the caller blocks, charged to the
// tenant (ledger row, cost, budget), refused for a forbidden model or a spent budget, and never
// left hanging when the I/O side stops.
#include "app/router_chat_caller.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <future>
#include <optional>
#include <thread>

#include "core/api_key.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "net/http_client.h"
#include "net/worker_pool.h"
#include "router/router_config.h"
#include "unit/gateway/scripted_provider.h"
#include "unit/gateway/temp_store.h"

namespace osprey::app {
namespace {

using nlohmann::json;

json model(const std::string& name) {
  return {{"name", name},
          {"deployments",
           {{{"id", name + "@scripted"},
             {"adapter", "openai"},
             {"base_url", "http://scripted"},
             {"model", "up-" + name}}}},
          {"retry", {{"max_attempts", 1}, {"base_delay_ms", 0}, {"max_delay_ms", 0}}},
          {"health", {{"enabled", false}}}};
}

jobs::ChatCall chat_call(std::int64_t tenant, std::int64_t key, std::string model_name) {
  jobs::ChatCall call;
  call.tenant_id = tenant;
  call.key_id = key;
  call.request.model = std::move(model_name);
  providers::Message m;
  m.content.push_back(providers::TextBlock{"hello"});
  call.request.messages.push_back(std::move(m));
  call.request.inference.max_tokens = 1000;
  return call;
}

class RouterChatCallerTest : public ::testing::Test {
 protected:
  RouterChatCallerTest() {
    gateway::testing::register_scripted(registry_, book_);
    router::RouterOptions options;
    options.seed = 1;
    options.sleep = [](std::chrono::milliseconds,
                       std::shared_ptr<net::CancelToken>) -> net::Task<void> { co_return; };
    router_ = std::make_unique<router::ModelRouter>(registry_, client_, metrics_, system_clock(),
                                                    std::move(options));
    auto config = router::parse_router_config({{"models", {model("chat"), model("down")}}}, {});
    EXPECT_TRUE(config.ok());
    EXPECT_TRUE(router_->load(config.value()).ok());
    providers::ChatResponse answer;
    answer.id = "resp-1";
    answer.model = "up-chat";
    answer.content.push_back(providers::TextBlock{"hi there"});
    answer.stop_reason = providers::StopReason::kEndTurn;
    answer.usage = {30, 20};
    book_.by_model["up-chat"].response = answer;
    providers::UpstreamError down;
    down.code = ErrorCode::kUpstreamError;
    down.http_status = 503;
    down.message = "down is down";
    down.retryable = true;
    book_.by_model["up-down"].error = down;

    json sections = {
        {"pricing",
         {{"models", {{"chat", {{"input_usd_per_million", 1}, {"output_usd_per_million", 2}}}}}}}};
    limits_ = std::make_unique<gateway::LimitsStage>(
        gateway::LimitsStageDeps{.config = {},
                                 .prices = gateway::parse_price_table(sections).value(),
                                 .buckets = buckets_,
                                 .concurrency = concurrency_,
                                 .budget = budget_,
                                 .workers = workers_,
                                 .ledger = ledger_,
                                 .clock = system_clock(),
                                 .metrics = metrics_});
    ledger_.start();
    caller_ = std::make_unique<RouterChatCaller>(RouterChatCallerDeps{
        .router = *router_, .limits = limits_.get(), .store = *store_, .clock = system_clock()});
    io_thread_ = std::thread([this] { io_.run(); });
  }
  ~RouterChatCallerTest() override {
    work_.reset();
    io_thread_.join();
  }

  void attach() {
    caller_->attach([this](std::function<net::Task<void>()> task) {
      boost::asio::co_spawn(boost::asio::make_strand(io_), std::move(task), boost::asio::detached);
    });
  }

  std::int64_t key(const std::string& plan_json,
                   std::optional<std::string> expires_at = std::nullopt) {
    auto generated = generate_api_key();
    EXPECT_TRUE(generated.ok());
    auto info = store_->create_api_key({.tenant_id = tenant_,
                                        .name = "k",
                                        .prefix = generated->prefix,
                                        .hash = generated->hash,
                                        .plan_json = plan_json,
                                        .expires_at = std::move(expires_at)});
    EXPECT_TRUE(info.ok());
    return info->id;
  }

  store::UsageAggregate ledger_total() {
    ledger_.flush();
    auto groups = store_->aggregate_usage({}, store::UsageGroupBy::kTenant);
    EXPECT_TRUE(groups.ok());
    if (!groups.ok() || groups->empty()) return {};
    return (*groups)[0];
  }

  gateway::testing::ScriptBook book_;
  providers::ProviderRegistry registry_;
  net::HttpClient client_;
  metrics::Registry metrics_;
  std::unique_ptr<router::ModelRouter> router_;
  gateway::testing::TempStore store_;
  std::int64_t tenant_ = store_.tenant("acme");
  TokenBucketMap buckets_{system_clock()};
  gateway::ConcurrencyLimiter concurrency_;
  gateway::BudgetStage budget_{*store_, system_clock(), metrics_, 0.8};
  net::WorkerPool workers_{2};
  gateway::UsageLedger ledger_{*store_, metrics_, {.flush_interval = std::chrono::hours(1)}};
  std::unique_ptr<gateway::LimitsStage> limits_;
  std::unique_ptr<RouterChatCaller> caller_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::thread io_thread_;
};

TEST_F(RouterChatCallerTest, AnswersThroughTheRouterAndChargesTheTenant) {
  attach();
  jobs::ChatCallResult reply = caller_->call(chat_call(tenant_, 0, "chat"));
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_EQ(providers::response_text(reply->response), "hi there");
  EXPECT_EQ(reply->response.model, "chat");
  EXPECT_EQ(reply->deployment, "chat@scripted");
  EXPECT_EQ(reply->cost_micros, 30 * 1 + 20 * 2);
  EXPECT_EQ(reply->request_id.size(), 32u);
  const store::UsageAggregate total = ledger_total();
  EXPECT_EQ(total.requests, 1);
  EXPECT_EQ(total.tokens_in, 30);
  EXPECT_EQ(total.tokens_out, 20);
  EXPECT_EQ(total.cost_micros, 70);
}

TEST_F(RouterChatCallerTest, UpstreamFailureKeepsItsCodeAndIsRetryable) {
  attach();
  jobs::ChatCallResult reply = caller_->call(chat_call(tenant_, 0, "down"));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(jobs::item_failure(reply.error()).outcome, jobs::Outcome::kRetryable);
  EXPECT_EQ(ledger_total().requests, 1);  // a failed call is a ledger row too
}

TEST_F(RouterChatCallerTest, KeyPlanLimitsTheModels) {
  attach();
  const std::int64_t k = key(R"({"allowed_models":["other"]})");
  jobs::ChatCallResult reply = caller_->call(chat_call(tenant_, k, "chat"));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(jobs::item_failure(reply.error()).outcome, jobs::Outcome::kPermanent);
  EXPECT_TRUE(book_.calls.empty());
}

TEST_F(RouterChatCallerTest, JobWithoutKeyGetsTheStrictestBudgetOfTheTenant) {
  attach();
  key(R"({"monthly_budget_usd":100})");
  key(R"({"monthly_budget_usd":0.001})");  // 1000 micro-USD: below the estimate of 2000+
  jobs::ChatCallResult reply = caller_->call(chat_call(tenant_, 0, "chat"));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kBudgetExceeded);
  EXPECT_EQ(jobs::item_failure(reply.error()).outcome, jobs::Outcome::kPermanent);
  EXPECT_TRUE(book_.calls.empty());
}

TEST_F(RouterChatCallerTest, RateLimitedCallIsDeferredWithTheRetryAfterHint) {
  attach();
  const std::int64_t k = key(R"({"requests_per_second":0.01,"burst":1})");
  ASSERT_TRUE(caller_->call(chat_call(tenant_, k, "chat")).ok());
  jobs::ChatCallResult second = caller_->call(chat_call(tenant_, k, "chat"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kRateLimited);
  const jobs::ItemResult item = jobs::item_failure(second.error());
  EXPECT_EQ(item.outcome, jobs::Outcome::kRateLimited);
  ASSERT_TRUE(item.retry_after.has_value());
  EXPECT_GE(*item.retry_after, std::chrono::seconds(1));
}

TEST_F(RouterChatCallerTest, ExpiredKeyIsForbiddenLikeOnline) {
  attach();
  const std::int64_t k = key("{}", "2020-01-01T00:00:00.000Z");
  jobs::ChatCallResult reply = caller_->call(chat_call(tenant_, k, "chat"));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kForbidden);
  EXPECT_NE(reply.error().message.find("expired"), std::string::npos);
  EXPECT_EQ(jobs::item_failure(reply.error()).outcome, jobs::Outcome::kPermanent);
  EXPECT_TRUE(book_.calls.empty());
}

TEST_F(RouterChatCallerTest, UnknownTenantIsForbidden) {
  attach();
  jobs::ChatCallResult reply = caller_->call(chat_call(tenant_ + 100, 0, "chat"));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kForbidden);
}

TEST_F(RouterChatCallerTest, CallsBeforeAttachOrAfterCloseAreUnavailable) {
  EXPECT_EQ(caller_->call(chat_call(tenant_, 0, "chat")).error().code, ErrorCode::kUnavailable);
  attach();
  caller_->close();
  EXPECT_EQ(caller_->call(chat_call(tenant_, 0, "chat")).error().code, ErrorCode::kUnavailable);
}

TEST_F(RouterChatCallerTest, CloseEndsACallWhoseCoroutineNeverRuns) {
  std::promise<void> spawned;
  std::vector<std::function<net::Task<void>()>> parked;  // an I/O side that has stopped
  caller_->attach([&](std::function<net::Task<void>()> task) {
    parked.push_back(std::move(task));
    spawned.set_value();
  });
  auto waiting =
      std::async(std::launch::async, [&] { return caller_->call(chat_call(tenant_, 0, "chat")); });
  spawned.get_future().wait();
  caller_->close();
  jobs::ChatCallResult reply = waiting.get();
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(jobs::item_failure(reply.error()).outcome, jobs::Outcome::kRetryable);
}

TEST(ItemFailureTest, MapsTheTaxonomyToOutcomes) {
  providers::UpstreamError limited{.code = ErrorCode::kUpstreamRateLimited,
                                   .message = "slow down",
                                   .retry_after = std::chrono::milliseconds(1500)};
  jobs::ItemResult r = jobs::item_failure(limited);
  EXPECT_EQ(r.outcome, jobs::Outcome::kRateLimited);
  EXPECT_EQ(r.error_code, "upstream_rate_limited");
  EXPECT_EQ(r.retry_after, std::chrono::milliseconds(1500));
  EXPECT_EQ(jobs::item_failure(make_error(ErrorCode::kInvalidRequest, "bad")).outcome,
            jobs::Outcome::kPermanent);
  EXPECT_EQ(jobs::item_failure(make_error(ErrorCode::kUpstreamTimeout, "slow")).outcome,
            jobs::Outcome::kRetryable);
}

}  // namespace
}  // namespace osprey::app
