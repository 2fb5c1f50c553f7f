#include "gateway/limits/limits_config.h"

#include <cmath>
#include <limits>
#include <utility>

#include "router/config_fields.h"

namespace osprey::gateway {
namespace {

using router::ConfigErrors;
using router::ConfigFields;

constexpr int kIntMax = std::numeric_limits<int>::max();

Error first_error(const ConfigErrors& errors) {
  Error error = *errors.first;
  error.code = ErrorCode::kConfigInvalid;
  return error;
}

// A price is a finite, non-negative number of USD per million tokens.
double price(ConfigFields& f, const std::string& key) {
  const double value = f.number(key, 0);
  if (!std::isfinite(value) || value < 0) f.fail(key, "must be a number >= 0");
  return value;
}

ModelPrice parse_price(ConfigFields& f) {
  ModelPrice p;
  p.input_usd_per_million = price(f, "input_usd_per_million");
  p.output_usd_per_million = price(f, "output_usd_per_million");
  f.reject_unknown();
  return p;
}

}  // namespace

Result<LimitsConfig> parse_limits_config(const nlohmann::json& sections) {
  LimitsConfig config;
  if (!sections.is_object() || !sections.contains("limits") || sections["limits"].is_null()) {
    return config;
  }
  ConfigErrors errors;
  ConfigFields f(sections["limits"], "limits", errors);
  config.default_max_tokens =
      f.integer("default_max_tokens", static_cast<int>(config.default_max_tokens), 0, kIntMax);
  config.budget_alert_ratio = f.number("budget_alert_ratio", config.budget_alert_ratio);
  if (!(config.budget_alert_ratio > 0 && config.budget_alert_ratio <= 1)) {
    f.fail("budget_alert_ratio", "must be in (0, 1]");
  }
  config.ledger_flush = f.millis("ledger_flush_ms", config.ledger_flush, 1);
  config.ledger_batch_size = f.integer("ledger_batch_size", config.ledger_batch_size, 1, 100000);
  config.ledger_max_pending =
      f.integer("ledger_max_pending", config.ledger_max_pending, 1, kIntMax);
  f.reject_unknown();
  if (!errors.ok()) return first_error(errors);
  return config;
}

PriceTable::PriceTable(std::map<std::string, ModelPrice, std::less<>> models,
                       std::optional<ModelPrice> fallback)
    : models_(std::move(models)), fallback_(fallback) {}

bool PriceTable::has_price(std::string_view model) const {
  return fallback_.has_value() || models_.find(model) != models_.end();
}

std::int64_t PriceTable::cost_micros(std::string_view model, std::int64_t tokens_in,
                                     std::int64_t tokens_out) const {
  const ModelPrice* p = nullptr;
  if (auto it = models_.find(model); it != models_.end()) {
    p = &it->second;
  } else if (fallback_) {
    p = &*fallback_;
  }
  if (p == nullptr) return 0;
  const double micros =
      static_cast<double>(std::max<std::int64_t>(tokens_in, 0)) * p->input_usd_per_million +
      static_cast<double>(std::max<std::int64_t>(tokens_out, 0)) * p->output_usd_per_million;
  // Tiny epsilon so 0.1 * 30 (= 3.0000000000000004) is not rounded up to 4.
  const double rounded = std::ceil(micros - 1e-9);
  if (rounded >= static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2)) {
    return std::numeric_limits<std::int64_t>::max() / 2;
  }
  return rounded <= 0 ? 0 : static_cast<std::int64_t>(rounded);
}

Result<PriceTable> parse_price_table(const nlohmann::json& sections) {
  if (!sections.is_object() || !sections.contains("pricing") || sections["pricing"].is_null()) {
    return PriceTable{};
  }
  ConfigErrors errors;
  ConfigFields f(sections["pricing"], "pricing", errors);
  std::map<std::string, ModelPrice, std::less<>> models;
  std::optional<ModelPrice> fallback;
  if (const nlohmann::json* node = f.object("models")) {
    for (const auto& [name, value] : node->items()) {
      ConfigFields model(value, f.key_path("models") + "." + name, errors);
      models[name] = parse_price(model);
    }
  }
  if (const nlohmann::json* node = f.object("default")) {
    ConfigFields def(*node, f.key_path("default"), errors);
    fallback = parse_price(def);
  }
  f.reject_unknown();
  if (!errors.ok()) return first_error(errors);
  return PriceTable(std::move(models), fallback);
}

}  // namespace osprey::gateway
