#include "gateway/admission/admission_config.h"

#include "router/config_fields.h"

namespace osprey::gateway {
namespace {

constexpr int kMaxCount = 1'000'000;

AdmissionLimits parse_limits(router::ConfigFields& f, const AdmissionLimits& base) {
  AdmissionLimits limits = base;
  limits.max_concurrent = f.integer("max_concurrent", base.max_concurrent, 0, kMaxCount);
  limits.max_queue = f.integer("max_queue", base.max_queue, 0, kMaxCount);
  limits.queue_timeout = f.millis("queue_timeout_ms", base.queue_timeout, 1);
  limits.overflow_status = f.integer("overflow_status", base.overflow_status, 0, 999);
  if (limits.overflow_status != 429 && limits.overflow_status != 503) {
    f.fail("overflow_status", "must be 429 or 503");
  }
  f.reject_unknown();
  return limits;
}

}  // namespace

const AdmissionLimits& AdmissionConfig::limits_for(const std::string& model) const {
  auto it = models.find(model);
  return it == models.end() ? defaults : it->second;
}

Result<AdmissionConfig> parse_admission_config(const nlohmann::json& sections) {
  AdmissionConfig config;
  if (!sections.is_object() || !sections.contains("admission")) return config;
  router::ConfigErrors errors;
  router::ConfigFields root(sections["admission"], "admission", errors);
  if (const nlohmann::json* node = root.object("default")) {
    router::ConfigFields f(*node, root.key_path("default"), errors);
    config.defaults = parse_limits(f, config.defaults);
  }
  if (const nlohmann::json* node = root.object("models")) {
    router::ConfigFields models(*node, root.key_path("models"), errors);
    for (const auto& [name, value] : node->items()) {
      models.consume(name);
      router::ConfigFields f(value, models.key_path(name), errors);
      config.models[name] = parse_limits(f, config.defaults);
    }
  }
  root.reject_unknown();
  if (!errors.ok()) return *errors.first;
  return config;
}

}  // namespace osprey::gateway
