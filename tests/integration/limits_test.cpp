// Rate limits, budgets and the usage ledger through the real binary in front of the
// `osprey-fake-upstream` CLI. Tenants and keys are written into the data dir's store before the
// server starts, so each test chooses its plans exactly; the ledger and spend are read back from
// the same store after a graceful shutdown.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/api_key.h"
#include "integration/fake_upstream_process.h"
#include "integration/http_client.h"
#include "integration/model_yaml.h"
#include "integration/osprey_process.h"
#include "store/store.h"
#include "store/tenancy_input.h"

namespace osprey::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

constexpr char kNoAuth[] = "built without API-key authentication: no tenant to limit";

// "a a a ...": `words` one-letter words. The fake counts words as tokens; the gateway's
// estimate counts characters / 4.
std::string words(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += i == 0 ? "a" : " a";
  return s;
}

json chat_body(const std::string& text, int max_tokens) {
  return {{"model", "chat"},
          {"max_tokens", max_tokens},
          {"messages", {{{"role", "user"}, {"content", text}}}}};
}

class Limits : public ::testing::Test {
 protected:
  // Starts the fake (with `fake_flags`) and prepares the data dir; then add keys with
  // add_key() and call start().
  void prepare(const std::vector<std::string>& fake_flags, const std::string& extra_yaml = "") {
    std::vector<std::string> flags = {"--vendor", "openai", "--record-limit", "0"};
    flags.insert(flags.end(), fake_flags.begin(), fake_flags.end());
    fake_ = std::make_unique<FakeUpstreamProcess>(flags);
    ASSERT_FALSE(fake_->url().empty());
    data_dir_ = dir_.path() + "/data";
    std::filesystem::create_directories(data_dir_);
    config_path_ = dir_.path() + "/osprey.yaml";
    write_file(config_path_, fake_model_yaml("chat", fake_->url(), "upstream-chat") +
                                 "limits:\n"
                                 "  ledger_flush_ms: 50\n" +
                                 extra_yaml);
    store::StoreOptions options;
    options.url = "sqlite:" + data_dir_ + "/osprey.db";
    auto opened = store::open_store(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened.value());
    ASSERT_TRUE(store_->migrate().ok());
  }

  // A new tenant with one key of `plan`; returns the key.
  std::string add_key(const std::string& tenant, const json& plan) {
    auto t = store_->create_tenant(tenant, "{}");
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
    if (!t.ok()) return "";
    tenant_ids_[tenant] = t->id;
    auto generated = generate_api_key();
    EXPECT_TRUE(generated.ok());
    store::NewApiKey key;
    key.tenant_id = t->id;
    key.name = "test";
    key.prefix = generated->prefix;
    key.hash = generated->hash;
    key.plan_json = plan.dump();
    auto created = store_->create_api_key(key);
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    return generated->key;
  }

  // Starts the server; false when this build has no API-key authentication (a request without a
  // key is served), so there is no tenant to limit and the test is skipped.
  bool start() {
    (void)store_->close();
    store_.reset();
    osprey_ = OspreyProcess::start({.args = {"--config", config_path_}, .data_dir = data_dir_});
    if (osprey_ == nullptr) {
      ADD_FAILURE() << "osprey did not start";
      return false;
    }
    return http_request(osprey_->port(), "GET", "/v1/models").status == 401;
  }

  // SIGTERM, wait for a clean exit, and reopen the store to read what the server wrote.
  void stop_and_open_store() {
    osprey_->signal(SIGTERM);
    ASSERT_EQ(osprey_->wait_exit(60s), 0) << osprey_->stderr_text();
    store::StoreOptions options;
    options.url = "sqlite:" + data_dir_ + "/osprey.db";
    auto opened = store::open_store(options);
    ASSERT_TRUE(opened.ok());
    store_ = std::move(opened.value());
  }

  std::int64_t ledger_rows(const std::string& tenant) {
    store::UsageFilter filter;
    filter.tenant_id = tenant_ids_.at(tenant);
    auto groups = store_->aggregate_usage(filter, store::UsageGroupBy::kTenant);
    EXPECT_TRUE(groups.ok());
    std::int64_t n = 0;
    if (groups.ok()) {
      for (const auto& g : groups.value()) n += g.requests;
    }
    return n;
  }

  HttpResponse chat(Connection& c, const std::string& key, const json& body) {
    const HeaderList headers = {{"Content-Type", "application/json"},
                                {"Authorization", "Bearer " + key}};
    if (!c.is_open() && !c.connect(osprey_->port())) return {};
    if (!c.send_request("POST", "/v1/chat/completions", body.dump(), headers)) return {};
    HttpResponse r = c.read_response();
    if (r.status == 0 || r.header("connection") == "close") c.close();
    return r;
  }
  HttpResponse chat(const std::string& key, const json& body) {
    Connection c;
    return chat(c, key, body);
  }

  TempDir dir_;
  std::string data_dir_;
  std::string config_path_;
  std::unique_ptr<FakeUpstreamProcess> fake_;
  std::unique_ptr<store::Store> store_;
  std::map<std::string, std::int64_t> tenant_ids_;
  std::unique_ptr<OspreyProcess> osprey_;
};

TEST_F(Limits, FiveRequestsPerSecondBurstGets429WithHeadersAndRecovers) {
  prepare({});
  const std::string key = add_key("burst", {{"requests_per_second", 5}});
  if (!start()) GTEST_SKIP() << kNoAuth;
  Connection c;
  int served = 0;
  HttpResponse refused;
  for (int i = 0; i < 10 && refused.status == 0; ++i) {
    HttpResponse r = chat(c, key, chat_body("hello", 5));
    if (r.status == 200) {
      ++served;
      EXPECT_EQ(r.header("x-ratelimit-limit-requests"), "5");
      EXPECT_FALSE(r.header("x-ratelimit-remaining-requests").empty());
      EXPECT_FALSE(r.header("x-ratelimit-reset-requests").empty());
    } else {
      refused = r;
    }
  }
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_GE(served, 5);  // the burst
  EXPECT_LE(served, 7);  // plus what refilled at 5/s while they ran
  EXPECT_EQ(error_code(refused), "rate_limited");
  EXPECT_EQ(json::parse(refused.body)["error"]["type"], "rate_limit_error");
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_EQ(refused.header("x-ratelimit-limit-requests"), "5");
  EXPECT_EQ(refused.header("x-ratelimit-remaining-requests"), "0");
  EXPECT_FALSE(refused.header("x-ratelimit-reset-requests").empty());

  // After the Retry-After window the key is served again.
  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(refused.header("retry-after"))));
  EXPECT_EQ(chat(c, key, chat_body("hello", 5)).status, 200);
}

TEST_F(Limits, TokensPerMinuteCountsTheRealUsageTheUpstreamReports) {
  prepare({});
  // Estimate per request: ceil(79 chars / 4) + 4 + max_tokens 1 = 25 tokens, so 200 tokens a
  // minute would admit 8 requests on estimates alone. The fake reports 40 prompt + 41
  // completion = 81 tokens a request, and the reconcile charges them.
  const std::string key = add_key("tokens", {{"tokens_per_minute", 200}});
  if (!start()) GTEST_SKIP() << kNoAuth;
  Connection c;
  int served = 0;
  HttpResponse refused;
  for (int i = 0; i < 8 && refused.status == 0; ++i) {
    HttpResponse r = chat(c, key, chat_body(words(40), 1));
    if (r.status == 200) {
      ++served;
      const json body = json::parse(r.body);
      EXPECT_EQ(body["usage"]["prompt_tokens"], 40);
      EXPECT_EQ(r.header("x-ratelimit-limit-tokens"), "200");
    } else {
      refused = r;
    }
  }
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(served, 3);  // 200 - 3 × 81 < 25 once the third is reconciled
  EXPECT_EQ(error_code(refused), "rate_limited");
  EXPECT_EQ(refused.header("x-ratelimit-limit-tokens"), "200");
  EXPECT_EQ(refused.header("x-ratelimit-remaining-tokens"), "0");  // in debt
  EXPECT_GE(std::stoi(refused.header("retry-after")), 10);
}

TEST_F(Limits, TenantOverBudgetGetsBudgetExceeded) {
  // 1000 USD per million tokens = 1000 micro-USD a token. Each request reserves its estimate,
  // (ceil(5 / 4) + 4) + 4 = 10 tokens = 10000 micro-USD, and really costs 1 + 2 = 3 tokens.
  prepare({},
          "pricing:\n  models:\n    chat: {input_usd_per_million: 1000, "
          "output_usd_per_million: 1000}\n");
  const std::string key = add_key("thrifty", {{"monthly_budget_usd", 0.025}});
  if (!start()) GTEST_SKIP() << kNoAuth;
  Connection c;
  int served = 0;
  HttpResponse refused;
  for (int i = 0; i < 20 && refused.status == 0; ++i) {
    HttpResponse r = chat(c, key, chat_body("hello", 4));
    if (r.status == 200) {
      ++served;
    } else {
      refused = r;
    }
  }
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(error_code(refused), "budget_exceeded");
  EXPECT_EQ(json::parse(refused.body)["error"]["type"], "insufficient_quota");
  // Spent 3000 a request; a request needs 10000 of headroom: at most 6 fit in 25000.
  EXPECT_GE(served, 2);
  EXPECT_LE(served, 6);
  stop_and_open_store();
  auto audit = store_->list_audit(1, 1000);
  ASSERT_TRUE(audit.ok());
  bool blocked = false;
  for (const auto& e : audit.value()) blocked = blocked || e.action == "budget.block";
  EXPECT_TRUE(blocked) << "no budget.block audit entry";
}

TEST_F(Limits, FiftyConcurrentRequestsAgainstABudgetForTenServeAtMostTen) {
  // Only output tokens cost (1000 micro-USD each); max_tokens 2 = the fake's real 2-word answer
  // ("echo: hello"), so each request reserves exactly what it costs: 2000. Budget: 20000.
  prepare({"--latency-ms", "300"},
          "pricing:\n  models:\n    chat: {input_usd_per_million: 0, "
          "output_usd_per_million: 1000}\n");
  const std::string key = add_key("race", {{"monthly_budget_usd", 0.02}});
  if (!start()) GTEST_SKIP() << kNoAuth;
  constexpr int kClients = 50;
  std::vector<HttpResponse> answers(kClients);
  std::vector<std::thread> clients;
  std::atomic<int> ready{0};
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      Connection c;
      ASSERT_TRUE(c.connect(osprey_->port()));
      ++ready;
      while (ready.load() < kClients) std::this_thread::yield();
      answers[i] = chat(c, key, chat_body("hello", 2));
    });
  }
  for (auto& t : clients) t.join();
  int served = 0;
  int over_budget = 0;
  for (const HttpResponse& r : answers) {
    if (r.status == 200) ++served;
    if (r.status == 429 && error_code(r) == "budget_exceeded") ++over_budget;
  }
  EXPECT_LE(served, 10);
  EXPECT_GE(served, 1);
  EXPECT_EQ(served + over_budget, kClients);
  stop_and_open_store();
  const std::string month = store::format_timestamp(std::chrono::system_clock::now()).substr(0, 7);
  auto spend = store_->get_spend(tenant_ids_.at("race"), month);
  ASSERT_TRUE(spend.ok());
  EXPECT_EQ(spend->reserved_micros, 0);           // every reservation settled
  EXPECT_LE(spend->spent_micros, 20000 + 2000);   // budget + one request
  EXPECT_EQ(spend->spent_micros, served * 2000);  // the real cost of what was served
  EXPECT_EQ(ledger_rows("race"), kClients);
}

TEST_F(Limits, FourClientsOnFiftyPerSecondAreAdmittedFiveHundredInTenSeconds) {
  prepare({});
  // Burst 5: over 10 s the bucket admits 5 + 50 × 10 = 505.
  const std::string key = add_key("steady", {{"requests_per_second", 50}, {"burst", 5}});
  if (!start()) GTEST_SKIP() << kNoAuth;
  std::atomic<int> admitted{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  const auto begin = std::chrono::steady_clock::now();
  const auto end = begin + 10s;
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([&] {
      Connection c;
      while (std::chrono::steady_clock::now() < end) {
        HttpResponse r = chat(c, key, chat_body("hi", 1));
        if (r.status == 200) {
          ++admitted;
        } else if (r.status == 429) {
          ++refused;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_GT(refused.load(), 0) << "the clients never reached the limit";
  EXPECT_GE(admitted.load(), 475);
  EXPECT_LE(admitted.load(), 525);
  std::printf("rate-limit accuracy: admitted %d, refused %d in 10 s at 50/s\n", admitted.load(),
              refused.load());
}

TEST_F(Limits, LedgerHoldsOneRowPerAnsweredRequestAfterSigtermUnderLoad) {
  prepare({"--latency-ms", "20"});
  const std::string key = add_key("busy", json::object());
  if (!start()) GTEST_SKIP() << kNoAuth;
  std::atomic<int> answered{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&, i] {
      Connection c;
      json body = chat_body("hello", 2);
      if (i % 2 == 1) body["stream"] = true;
      while (!stop.load()) {
        HttpResponse r = chat(c, key, body);
        if (r.status == 0) {
          if (!c.connect(osprey_->port())) return;  // the server no longer accepts
          continue;
        }
        ++answered;
      }
    });
  }
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (answered.load() < 100 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_GE(answered.load(), 100);
  osprey_->signal(SIGTERM);
  ASSERT_EQ(osprey_->wait_exit(60s), 0) << osprey_->stderr_text();
  stop = true;
  for (auto& t : clients) t.join();
  store::StoreOptions options;
  options.url = "sqlite:" + data_dir_ + "/osprey.db";
  auto opened = store::open_store(options);
  ASSERT_TRUE(opened.ok());
  store_ = std::move(opened.value());
  EXPECT_EQ(ledger_rows("busy"), answered.load());
}

}  // namespace
}  // namespace osprey::testing
