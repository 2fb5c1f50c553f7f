// The `limits:` and `pricing:` sections: defaults, accepted values, one-line errors naming the
// key, and the cost of tokens in micro-USD.
#include "gateway/limits/limits_config.h"

#include <gtest/gtest.h>

namespace osprey::gateway {
namespace {

using json = nlohmann::json;

TEST(LimitsConfigTest, AbsentSectionGivesDefaults) {
  Result<LimitsConfig> config = parse_limits_config(json::object());
  ASSERT_TRUE(config.ok());
  EXPECT_DOUBLE_EQ(config->budget_alert_ratio, 0.8);
  EXPECT_EQ(config->ledger_flush, std::chrono::milliseconds(1000));
  EXPECT_EQ(config->ledger_batch_size, 500);
  EXPECT_EQ(config->default_max_tokens, 256);
}

TEST(LimitsConfigTest, ReadsEveryKey) {
  json sections = {{"limits",
                    {{"budget_alert_ratio", 0.5},
                     {"ledger_flush_ms", 20},
                     {"ledger_batch_size", 7},
                     {"ledger_max_pending", 100},
                     {"default_max_tokens", 64}}}};
  Result<LimitsConfig> config = parse_limits_config(sections);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_DOUBLE_EQ(config->budget_alert_ratio, 0.5);
  EXPECT_EQ(config->ledger_flush, std::chrono::milliseconds(20));
  EXPECT_EQ(config->ledger_batch_size, 7);
  EXPECT_EQ(config->ledger_max_pending, 100);
  EXPECT_EQ(config->default_max_tokens, 64);
}

TEST(LimitsConfigTest, ErrorsNameTheKey) {
  const auto message = [](json limits) {
    Result<LimitsConfig> config = parse_limits_config(json{{"limits", limits}});
    return config.ok() ? std::string("ok") : config.error().message;
  };
  EXPECT_NE(message({{"budget_alert_ratio", 1.5}}).find("limits.budget_alert_ratio"),
            std::string::npos);
  EXPECT_NE(message({{"ledger_flush_ms", 0}}).find("limits.ledger_flush_ms"), std::string::npos);
  EXPECT_NE(message({{"ledger_batch_size", "x"}}).find("limits.ledger_batch_size"),
            std::string::npos);
  EXPECT_NE(message({{"flush_ms", 1}}).find("limits.flush_ms"), std::string::npos);
  EXPECT_EQ(parse_limits_config(json{{"limits", 3}}).code(), ErrorCode::kConfigInvalid);
}

TEST(PriceTableTest, UnknownModelIsFreeWithoutDefault) {
  json sections = {
      {"pricing",
       {{"models", {{"gpt", {{"input_usd_per_million", 2.5}, {"output_usd_per_million", 10}}}}}}}};
  Result<PriceTable> prices = parse_price_table(sections);
  ASSERT_TRUE(prices.ok()) << prices.error().message;
  // 1 USD per million tokens is 1 micro-USD per token.
  EXPECT_EQ(prices->cost_micros("gpt", 1000, 100), 2500 + 1000);
  EXPECT_EQ(prices->cost_micros("gpt", 1, 0), 3);  // 2.5 rounds up
  EXPECT_EQ(prices->cost_micros("other", 1000, 1000), 0);
  EXPECT_TRUE(prices->has_price("gpt"));
  EXPECT_FALSE(prices->has_price("other"));
}

TEST(PriceTableTest, DefaultPricesUnknownModels) {
  json sections = {
      {"pricing", {{"default", {{"input_usd_per_million", 0.1}, {"output_usd_per_million", 0}}}}}};
  Result<PriceTable> prices = parse_price_table(sections);
  ASSERT_TRUE(prices.ok()) << prices.error().message;
  EXPECT_EQ(prices->cost_micros("any", 30, 500), 3);  // 3.0000000000000004 is 3, not 4
  EXPECT_EQ(prices->cost_micros("any", 0, 0), 0);
  EXPECT_TRUE(prices->has_price("any"));
}

TEST(PriceTableTest, ErrorsNameTheKey) {
  const auto message = [](json pricing) {
    Result<PriceTable> prices = parse_price_table(json{{"pricing", pricing}});
    return prices.ok() ? std::string("ok") : prices.error().message;
  };
  EXPECT_NE(message({{"models", {{"m", {{"input_usd_per_million", -1}}}}}})
                .find("pricing.models.m.input_usd_per_million"),
            std::string::npos);
  EXPECT_NE(message({{"models", {{"m", {{"input", 1}}}}}}).find("pricing.models.m.input"),
            std::string::npos);
  EXPECT_NE(message({{"default", 5}}).find("pricing.default"), std::string::npos);
  EXPECT_NE(message({{"gpt", {}}}).find("pricing.gpt"), std::string::npos);
  EXPECT_EQ(message(json::object()), "ok");
}

}  // namespace
}  // namespace osprey::gateway
