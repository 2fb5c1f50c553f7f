#include "batch/native_config.h"

#include <cstdint>

namespace osprey::batch {
namespace {

Status read_int(const nlohmann::json& node, const std::string& path, const char* key,
                std::int64_t& out, std::int64_t min, std::int64_t max) {
  auto it = node.find(key);
  if (it == node.end() || it->is_null()) return {};
  if (!it->is_number_integer() || it->get<std::int64_t>() < min || it->get<std::int64_t>() > max) {
    return config_error(path + "." + key, "must be an integer in [" + std::to_string(min) + ", " +
                                              std::to_string(max) + "]");
  }
  out = it->get<std::int64_t>();
  return {};
}

constexpr std::int64_t kMaxInFlight = 100000;

// A mapping whose only key is max_in_flight (models.<name>).
Result<int> read_cap_only(const nlohmann::json& node, const std::string& path) {
  if (!node.is_object()) return config_error(path, "must be a mapping");
  for (const auto& [key, value] : node.items()) {
    if (key != "max_in_flight") return config_error(path + "." + key, "unknown key");
  }
  std::int64_t cap = 0;
  if (Status st = read_int(node, path, "max_in_flight", cap, 0, kMaxInFlight); !st.ok()) {
    return st.error();
  }
  return static_cast<int>(cap);
}

}  // namespace

int NativeBatchConfig::cap_for(const std::string& model, const std::string& adapter) const {
  if (auto it = model_max_in_flight.find(model); it != model_max_in_flight.end()) {
    return it->second;
  }
  if (auto it = adapter_max_in_flight.find(adapter); it != adapter_max_in_flight.end()) {
    return it->second;
  }
  return max_in_flight;
}

Result<NativeBatchConfig> parse_native_batch_config(const nlohmann::json& sections) {
  NativeBatchConfig c;
  auto batch = sections.find("batch");
  if (batch == sections.end() || batch->is_null()) return c;
  if (!batch->is_object()) return config_error("batch", "must be a mapping");
  auto native = batch->find("native");
  if (native == batch->end() || native->is_null()) return c;
  const std::string p = "batch.native";
  if (!native->is_object()) return config_error(p, "must be a mapping");
  for (const auto& [key, value] : native->items()) {
    static const char* kKnown[] = {"enabled",         "poll_ms",       "fallback_after_ms",
                                   "import_lease_ms", "max_in_flight", "models",
                                   "adapters"};
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known) return config_error(p + "." + key, "unknown key");
  }
  if (auto it = native->find("enabled"); it != native->end() && !it->is_null()) {
    if (!it->is_boolean()) return config_error(p + ".enabled", "must be true or false");
    c.enabled = it->get<bool>();
  }
  std::int64_t poll = c.poll.count(), fallback = c.fallback_after.count();
  std::int64_t lease = c.import_lease.count(), cap = c.max_in_flight;
  if (Status st = read_int(*native, p, "poll_ms", poll, 10, 3'600'000); !st.ok()) {
    return st.error();
  }
  if (Status st = read_int(*native, p, "fallback_after_ms", fallback, 1, 30LL * 86'400'000);
      !st.ok()) {
    return st.error();
  }
  if (Status st = read_int(*native, p, "import_lease_ms", lease, 1000, 86'400'000); !st.ok()) {
    return st.error();
  }
  if (Status st = read_int(*native, p, "max_in_flight", cap, 0, kMaxInFlight); !st.ok()) {
    return st.error();
  }
  c.poll = std::chrono::milliseconds(poll);
  c.fallback_after = std::chrono::milliseconds(fallback);
  c.import_lease = std::chrono::milliseconds(lease);
  c.max_in_flight = static_cast<int>(cap);
  if (auto models = native->find("models"); models != native->end() && !models->is_null()) {
    if (!models->is_object()) return config_error(p + ".models", "must be a mapping");
    for (const auto& [name, node] : models->items()) {
      auto model_cap = read_cap_only(node, p + ".models." + name);
      if (!model_cap) return model_cap.error();
      c.model_max_in_flight[name] = model_cap.value();
    }
  }
  if (auto adapters = native->find("adapters"); adapters != native->end() && !adapters->is_null()) {
    if (!adapters->is_object()) return config_error(p + ".adapters", "must be a mapping");
    for (const auto& [name, node] : adapters->items()) {
      const std::string path = p + ".adapters." + name;
      if (!node.is_object()) return config_error(path, "must be a mapping");
      std::int64_t adapter_cap = -1;
      if (Status st = read_int(node, path, "max_in_flight", adapter_cap, 0, kMaxInFlight);
          !st.ok()) {
        return st.error();
      }
      if (adapter_cap >= 0) c.adapter_max_in_flight[name] = static_cast<int>(adapter_cap);
      nlohmann::json options = node;
      options.erase("max_in_flight");
      c.adapter_options[name] = std::move(options);
    }
  }
  return c;
}

}  // namespace osprey::batch
