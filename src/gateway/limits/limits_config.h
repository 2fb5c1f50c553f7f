#pragma once
// LimitsConfig: the `limits:` section (rate-limit estimation, budget alerts, usage ledger
// batching) and PriceTable: the `pricing:` section (USD per million tokens per public model).
// Parsed once from Config::sections; errors name the key ("limits.ledger_flush_ms: ...").
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey::gateway {

struct LimitsConfig {
  // Output tokens assumed for the pre-call estimate when a request sets no max_tokens.
  std::int64_t default_max_tokens = 256;
  // Spend / budget ratio at which a tenant's month raises one budget alert.
  double budget_alert_ratio = 0.8;
  // The usage ledger writes a batch at least this often, or as soon as ledger_batch_size rows
  // are waiting.
  std::chrono::milliseconds ledger_flush{1000};
  int ledger_batch_size = 500;
  // Rows kept in memory while the store is failing; beyond it new rows are dropped (counted).
  int ledger_max_pending = 1'000'000;
};

// Reads `sections["limits"]` (absent = defaults).
Result<LimitsConfig> parse_limits_config(const nlohmann::json& sections);

struct ModelPrice {
  double input_usd_per_million = 0;
  double output_usd_per_million = 0;
};

// Prices per public model name. A model without an entry costs `fallback` when
// `pricing.default` is configured, otherwise nothing. Immutable after parsing.
class PriceTable {
 public:
  PriceTable() = default;
  PriceTable(std::map<std::string, ModelPrice, std::less<>> models,
             std::optional<ModelPrice> fallback);

  // Micro-USD for this many tokens, rounded up (1 USD per million tokens = 1 micro-USD a token).
  std::int64_t cost_micros(std::string_view model, std::int64_t tokens_in,
                           std::int64_t tokens_out) const;
  bool has_price(std::string_view model) const;

 private:
  std::map<std::string, ModelPrice, std::less<>> models_;
  std::optional<ModelPrice> fallback_;
};

// Reads `sections["pricing"]`: {models: {<name>: {input_usd_per_million, output_usd_per_million}},
// default: {...}} (both optional).
Result<PriceTable> parse_price_table(const nlohmann::json& sections);

}  // namespace osprey::gateway
