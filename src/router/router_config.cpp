#include "router/router_config.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "router/config_fields.h"

namespace osprey::router {
namespace {

constexpr int kIntMax = std::numeric_limits<int>::max();
constexpr std::array<std::string_view, 5> kAdapters = {"openai", "ollama", "anthropic", "bedrock",
                                                       "local"};

std::string indexed(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

bool is_http_url(const std::string& url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.size() > scheme.size() && url.compare(0, scheme.size(), scheme) == 0) return true;
  }
  return false;
}

// Resolves secret `name` from `name_env` or `name_file`; an inline `name` is rejected so that
// secrets never sit in a config file that gets copied, printed or committed.
std::string read_secret(ConfigFields& f, const std::string& name,
                        const std::map<std::string, std::string>& env) {
  if (f.has(name)) {
    f.consume(name);
    f.fail(name, "inline secrets are not allowed; use " + name + "_env or " + name + "_file");
    return {};
  }
  const std::string env_key = name + "_env";
  const std::string file_key = name + "_file";
  const std::string var = f.string(env_key);
  const std::string path = f.string(file_key);
  if (!var.empty() && !path.empty()) {
    f.fail(env_key, "give either " + env_key + " or " + file_key + ", not both");
    return {};
  }
  if (!var.empty()) {
    auto it = env.find(var);
    if (it == env.end() || it->second.empty()) {
      f.fail(env_key, "environment variable " + var + " is not set");
      return {};
    }
    return it->second;
  }
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    if (!in || !(content << in.rdbuf())) {
      f.fail(file_key, "cannot read '" + path + "'");
      return {};
    }
    std::string value = content.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    if (value.empty()) f.fail(file_key, "'" + path + "' is empty");
    return value;
  }
  return {};
}

void parse_timeouts(ConfigFields& parent, providers::ProviderConfig& p, ConfigErrors& errors) {
  const nlohmann::json* node = parent.object("timeouts");
  if (node == nullptr) return;
  ConfigFields f(*node, parent.key_path("timeouts"), errors);
  p.connect_timeout = f.millis("connect_ms", p.connect_timeout, 1);
  p.first_byte_timeout = f.millis("first_byte_ms", p.first_byte_timeout, 1);
  p.total_timeout = f.millis("total_ms", p.total_timeout, 1);
  p.idle_read_timeout = f.millis("idle_read_ms", p.idle_read_timeout, 1);
  f.reject_unknown();
}

DeploymentConfig parse_deployment(const nlohmann::json& node, const std::string& path,
                                  const std::string& model, std::size_t index,
                                  const std::map<std::string, std::string>& env,
                                  ConfigErrors& errors) {
  ConfigFields f(node, path, errors);
  DeploymentConfig d;
  d.id = f.string("id", model + "#" + std::to_string(index));
  if (d.id.empty()) f.fail("id", "must not be empty");
  providers::ProviderConfig& p = d.provider;
  p.adapter = f.string("adapter");
  if (p.adapter.empty()) {
    f.fail("adapter", "is required (one of openai, ollama, anthropic, bedrock, local)");
  } else if (std::find(kAdapters.begin(), kAdapters.end(), p.adapter) == kAdapters.end()) {
    f.fail("adapter", "unknown adapter '" + p.adapter +
                          "' (one of openai, ollama, anthropic, bedrock, local)");
  }
  p.region = f.string("region");
  p.base_url = f.string("base_url");
  if (p.base_url.empty()) {
    if (p.adapter == "anthropic") {
      p.base_url = "https://api.anthropic.com";
    } else if (p.adapter == "bedrock" && !p.region.empty()) {
      p.base_url = "https://bedrock-runtime." + p.region + ".amazonaws.com";
    } else if (p.adapter == "openai" || p.adapter == "ollama") {
      f.fail("base_url", "is required for adapter " + p.adapter);
    }
  } else if (!is_http_url(p.base_url)) {
    f.fail("base_url", "must be an http(s) URL, got '" + p.base_url + "'");
  }
  if (p.adapter == "bedrock" && p.region.empty()) f.fail("region", "is required for bedrock");
  p.upstream_model = f.string("model", model);
  if (p.upstream_model.empty()) f.fail("model", "must not be empty");
  p.api_key = read_secret(f, "api_key", env);
  p.aws_access_key_id = read_secret(f, "aws_access_key_id", env);
  p.aws_secret_access_key = read_secret(f, "aws_secret_access_key", env);
  p.aws_session_token = read_secret(f, "aws_session_token", env);
  p.anthropic_version = f.string("anthropic_version", p.anthropic_version);
  p.headers = f.string_map("headers");
  p.verify_tls = f.boolean("verify_tls", p.verify_tls);
  p.ca_file = f.string("ca_file");
  if (!p.ca_file.empty()) {
    if (!p.verify_tls) {
      f.fail("ca_file", "has no effect with verify_tls: false; drop one of them");
    } else if (!std::ifstream(p.ca_file, std::ios::binary)) {
      f.fail("ca_file", "cannot read '" + p.ca_file + "'");
    }
  }
  parse_timeouts(f, p, errors);
  if (const nlohmann::json* options = f.object("options")) p.options = *options;
  d.weight = f.number("weight", d.weight);
  if (!(d.weight > 0)) f.fail("weight", "must be > 0");
  d.max_concurrent = f.integer("max_concurrent", d.max_concurrent, 1, kIntMax);
  f.reject_unknown();
  return d;
}

RetryConfig parse_retry(ConfigFields& model, ConfigErrors& errors) {
  RetryConfig r;
  const nlohmann::json* node = model.object("retry");
  if (node == nullptr) return r;
  ConfigFields f(*node, model.key_path("retry"), errors);
  r.max_attempts = f.integer("max_attempts", r.max_attempts, 1, 100);
  r.base_delay = f.millis("base_delay_ms", r.base_delay, 0);
  r.max_delay = f.millis("max_delay_ms", r.max_delay, 0);
  if (r.max_delay < r.base_delay) f.fail("max_delay_ms", "must be >= base_delay_ms");
  r.total_deadline = f.millis("total_deadline_ms", r.total_deadline, 1);
  f.reject_unknown();
  return r;
}

BreakerConfig parse_breaker(ConfigFields& model, ConfigErrors& errors) {
  BreakerConfig b;
  const nlohmann::json* node = model.object("breaker");
  if (node == nullptr) return b;
  ConfigFields f(*node, model.key_path("breaker"), errors);
  b.consecutive_failures = f.integer("consecutive_failures", b.consecutive_failures, 0, kIntMax);
  b.error_rate = f.number("error_rate", b.error_rate);
  if (b.error_rate < 0 || b.error_rate > 1) f.fail("error_rate", "must be between 0 and 1");
  b.min_requests = f.integer("min_requests", b.min_requests, 1, kIntMax);
  b.window = f.millis("window_ms", b.window, 10);
  b.open_duration = f.millis("open_ms", b.open_duration, 1);
  b.half_open_max_calls = f.integer("half_open_max_calls", b.half_open_max_calls, 1, kIntMax);
  f.reject_unknown();
  return b;
}

HealthCheckConfig parse_health(ConfigFields& model, ConfigErrors& errors) {
  HealthCheckConfig h;
  const nlohmann::json* node = model.object("health");
  if (node == nullptr) return h;
  ConfigFields f(*node, model.key_path("health"), errors);
  h.enabled = f.boolean("enabled", h.enabled);
  h.interval = f.millis("interval_ms", h.interval, 1);
  h.timeout = f.millis("timeout_ms", h.timeout, 1);
  h.healthy_threshold = f.integer("healthy_threshold", h.healthy_threshold, 1, kIntMax);
  h.unhealthy_threshold = f.integer("unhealthy_threshold", h.unhealthy_threshold, 1, kIntMax);
  f.reject_unknown();
  return h;
}

ModelConfig parse_model(const nlohmann::json& node, const std::string& path,
                        const std::map<std::string, std::string>& env, ConfigErrors& errors) {
  ConfigFields f(node, path, errors);
  ModelConfig m;
  m.name = f.string("name");
  if (m.name.empty() && errors.ok()) f.fail("name", "is required");
  if (const nlohmann::json* fallbacks = f.list("fallbacks")) {
    for (std::size_t i = 0; i < fallbacks->size(); ++i) {
      const auto& v = (*fallbacks)[i];
      if (!v.is_string() || v.get<std::string>().empty()) {
        errors.fail(indexed(f.key_path("fallbacks"), i), "must be a model name");
      } else {
        m.fallbacks.push_back(v.get<std::string>());
      }
    }
  }
  m.retry = parse_retry(f, errors);
  m.breaker = parse_breaker(f, errors);
  m.health = parse_health(f, errors);
  m.panic = f.boolean("panic", m.panic);
  const nlohmann::json* deployments = f.list("deployments");
  if (deployments == nullptr || deployments->empty()) {
    if (errors.ok()) f.fail("deployments", "at least one deployment is required");
  } else {
    for (std::size_t i = 0; i < deployments->size() && errors.ok(); ++i) {
      m.deployments.push_back(parse_deployment(
          (*deployments)[i], indexed(f.key_path("deployments"), i), m.name, i, env, errors));
    }
  }
  f.reject_unknown();
  return m;
}

std::string model_path(std::size_t i) { return indexed("models", i); }

// Finds a cycle reachable from `start` in the fallback graph; returns it as "a -> b -> a".
std::string find_cycle(const std::map<std::string, const ModelConfig*>& by_name,
                       const std::string& start) {
  std::vector<std::string> stack;
  std::set<std::string> done;
  std::function<std::string(const std::string&)> visit = [&](const std::string& name) {
    if (auto it = std::find(stack.begin(), stack.end(), name); it != stack.end()) {
      std::string cycle;
      for (; it != stack.end(); ++it) cycle += *it + " -> ";
      return cycle + name;
    }
    if (done.count(name) != 0) return std::string();
    stack.push_back(name);
    auto found = by_name.find(name);
    if (found != by_name.end()) {
      for (const std::string& next : found->second->fallbacks) {
        if (std::string cycle = visit(next); !cycle.empty()) return cycle;
      }
    }
    stack.pop_back();
    done.insert(name);
    return std::string();
  };
  return visit(start);
}

}  // namespace

Status validate_router_config(const RouterConfig& config) {
  ConfigErrors errors;
  std::map<std::string, const ModelConfig*> by_name;
  std::set<std::string> deployment_ids;
  for (std::size_t i = 0; i < config.models.size() && errors.ok(); ++i) {
    const ModelConfig& m = config.models[i];
    const std::string path = model_path(i);
    if (m.name.empty()) errors.fail(path + ".name", "is required");
    if (!by_name.emplace(m.name, &m).second) {
      errors.fail(path + ".name", "duplicate model name '" + m.name + "'");
    }
    if (m.deployments.empty()) errors.fail(path + ".deployments", "at least one is required");
    for (std::size_t j = 0; j < m.deployments.size() && errors.ok(); ++j) {
      const DeploymentConfig& d = m.deployments[j];
      const std::string dpath = indexed(path + ".deployments", j);
      if (d.id.empty()) errors.fail(dpath + ".id", "must not be empty");
      if (!deployment_ids.insert(d.id).second) {
        errors.fail(dpath + ".id", "duplicate deployment id '" + d.id + "'");
      }
      if (!(d.weight > 0)) errors.fail(dpath + ".weight", "must be > 0");
      if (d.max_concurrent < 1) errors.fail(dpath + ".max_concurrent", "must be >= 1");
    }
  }
  for (std::size_t i = 0; i < config.models.size() && errors.ok(); ++i) {
    const ModelConfig& m = config.models[i];
    std::set<std::string> seen;
    for (std::size_t k = 0; k < m.fallbacks.size() && errors.ok(); ++k) {
      const std::string& f = m.fallbacks[k];
      const std::string fpath = indexed(model_path(i) + ".fallbacks", k);
      if (f == m.name) {
        errors.fail(fpath, "a model cannot fall back to itself");
      } else if (by_name.count(f) == 0) {
        errors.fail(fpath, "unknown model '" + f + "'");
      } else if (!seen.insert(f).second) {
        errors.fail(fpath, "'" + f + "' is listed twice");
      }
    }
    if (errors.ok()) {
      if (std::string cycle = find_cycle(by_name, m.name); !cycle.empty()) {
        errors.fail(model_path(i) + ".fallbacks", "fallbacks form a cycle: " + cycle);
      }
    }
  }
  if (errors.first) return *errors.first;
  return {};
}

Result<RouterConfig> parse_router_config(const nlohmann::json& sections,
                                         const std::map<std::string, std::string>& env) {
  RouterConfig config;
  if (!sections.is_object() || !sections.contains("models") || sections.at("models").is_null()) {
    return config;
  }
  const nlohmann::json& models = sections.at("models");
  if (!models.is_array()) return make_error(ErrorCode::kConfigInvalid, "models: must be a list");
  ConfigErrors errors;
  for (std::size_t i = 0; i < models.size() && errors.ok(); ++i) {
    config.models.push_back(parse_model(models[i], model_path(i), env, errors));
  }
  if (errors.first) return *errors.first;
  if (auto status = validate_router_config(config); !status.ok()) return status.error();
  return config;
}

}  // namespace osprey::router
