#include "router/config_fields.h"

#include <cmath>
#include <limits>
#include <utility>

namespace osprey::router {

void ConfigErrors::fail(const std::string& path, const std::string& message) {
  if (!first) first = make_error(ErrorCode::kConfigInvalid, path + ": " + message);
}

ConfigFields::ConfigFields(const nlohmann::json& node, std::string path, ConfigErrors& errors)
    : node_(node), path_(std::move(path)), errors_(errors) {
  if (!node_.is_object()) errors_.fail(path_, "must be a mapping of keys to values");
}

std::string ConfigFields::key_path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

bool ConfigFields::has(const std::string& key) const {
  return node_.is_object() && node_.contains(key) && !node_.at(key).is_null();
}

void ConfigFields::fail(const std::string& key, const std::string& message) {
  errors_.fail(key_path(key), message);
}

const nlohmann::json* ConfigFields::find(const std::string& key) {
  seen_.insert(key);
  if (!errors_.ok() || !has(key)) return nullptr;
  return &node_.at(key);
}

std::string ConfigFields::string(const std::string& key, std::string fallback) {
  const nlohmann::json* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_string()) {
    fail(key, "must be a string");
    return fallback;
  }
  return v->get<std::string>();
}

bool ConfigFields::boolean(const std::string& key, bool fallback) {
  const nlohmann::json* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) {
    fail(key, "must be true or false");
    return fallback;
  }
  return v->get<bool>();
}

int ConfigFields::integer(const std::string& key, int fallback, int min, int max) {
  const nlohmann::json* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_number_integer()) {
    fail(key, "must be an integer");
    return fallback;
  }
  const auto value = v->get<std::int64_t>();
  if (value < min || value > max) {
    fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                  std::to_string(value));
    return fallback;
  }
  return static_cast<int>(value);
}

double ConfigFields::number(const std::string& key, double fallback) {
  const nlohmann::json* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_number()) {
    fail(key, "must be a number");
    return fallback;
  }
  const double value = v->get<double>();
  if (!std::isfinite(value)) {
    fail(key, "must be a finite number");
    return fallback;
  }
  return value;
}

std::chrono::milliseconds ConfigFields::millis(const std::string& key,
                                               std::chrono::milliseconds fallback,
                                               std::int64_t min_ms) {
  const nlohmann::json* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_number_integer()) {
    fail(key, "must be an integer number of milliseconds");
    return fallback;
  }
  const auto value = v->get<std::int64_t>();
  // A year is far beyond any sensible timeout and keeps later arithmetic away from overflow.
  constexpr std::int64_t kMaxMs = 365LL * 24 * 3600 * 1000;
  if (value < min_ms || value > kMaxMs) {
    fail(key, (min_ms == 1 ? std::string("must be > 0") : "must be >= " + std::to_string(min_ms)) +
                  " and at most one year, got " + std::to_string(value));
    return fallback;
  }
  return std::chrono::milliseconds(value);
}

std::map<std::string, std::string> ConfigFields::string_map(const std::string& key) {
  std::map<std::string, std::string> out;
  const nlohmann::json* v = find(key);
  if (v == nullptr) return out;
  if (!v->is_object()) {
    fail(key, "must be a mapping of names to strings");
    return out;
  }
  for (const auto& [name, value] : v->items()) {
    if (value.is_string()) {
      out[name] = value.get<std::string>();
    } else if (value.is_number() || value.is_boolean()) {
      out[name] = value.dump();  // YAML typed `1` or `true`; a header value is text
    } else {
      errors_.fail(key_path(key) + "." + name, "must be a string");
      return {};
    }
  }
  return out;
}

const nlohmann::json* ConfigFields::object(const std::string& key) {
  const nlohmann::json* v = find(key);
  if (v != nullptr && !v->is_object()) {
    fail(key, "must be a mapping of keys to values");
    return nullptr;
  }
  return v;
}

const nlohmann::json* ConfigFields::list(const std::string& key) {
  const nlohmann::json* v = find(key);
  if (v != nullptr && !v->is_array()) {
    fail(key, "must be a list");
    return nullptr;
  }
  return v;
}

void ConfigFields::reject_unknown() {
  if (!errors_.ok() || !node_.is_object()) return;
  for (const auto& [key, value] : node_.items()) {
    if (seen_.count(key) == 0) {
      fail(key, "unknown key");
      return;
    }
  }
}

}  // namespace osprey::router
