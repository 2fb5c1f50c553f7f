#include "router/router_config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/json_mutator.h"

namespace osprey::router {
namespace {

using nlohmann::json;

json full_example() {
  return json::parse(R"({
    "models": [
      {"name": "gpt-4o",
       "fallbacks": ["claude-sonnet", "local-llama"],
       "retry": {"max_attempts": 4, "base_delay_ms": 50, "max_delay_ms": 1000,
                 "total_deadline_ms": 30000},
       "breaker": {"consecutive_failures": 7, "error_rate": 0.25, "min_requests": 10,
                   "window_ms": 20000, "open_ms": 3000, "half_open_max_calls": 2},
       "health": {"enabled": true, "interval_ms": 5000, "timeout_ms": 1000,
                  "healthy_threshold": 1, "unhealthy_threshold": 4},
       "deployments": [
         {"id": "openai-east", "adapter": "openai", "base_url": "https://api.openai.com",
          "model": "gpt-4o-2024-08-06", "api_key_env": "OPENAI_API_KEY", "weight": 2,
          "max_concurrent": 128, "headers": {"OpenAI-Organization": "org-1"},
          "timeouts": {"connect_ms": 1000, "first_byte_ms": 2000, "total_ms": 3000,
                       "idle_read_ms": 4000},
          "verify_tls": false},
         {"adapter": "openai", "base_url": "http://10.0.0.5:8000"}
       ]},
      {"name": "claude-sonnet",
       "panic": false,
       "deployments": [{"adapter": "anthropic", "api_key_env": "ANTHROPIC_API_KEY",
                        "model": "claude-sonnet-4"}]},
      {"name": "local-llama",
       "deployments": [{"adapter": "ollama", "base_url": "http://127.0.0.1:11434",
                        "options": {"num_ctx": 8192}}]},
      {"name": "nova",
       "deployments": [{"adapter": "bedrock", "region": "us-east-1",
                        "aws_access_key_id_env": "AWS_ACCESS_KEY_ID",
                        "aws_secret_access_key_env": "AWS_SECRET_ACCESS_KEY"}]}
    ]})");
}

// The ca_file key of models[0].deployments[1] (verify_tls on by default).
json& dep_ca(json& c) { return c["models"][0]["deployments"][1]["ca_file"]; }

const std::map<std::string, std::string> kEnv = {{"OPENAI_API_KEY", "sk-openai"},
                                                 {"ANTHROPIC_API_KEY", "sk-ant"},
                                                 {"AWS_ACCESS_KEY_ID", "AKID"},
                                                 {"AWS_SECRET_ACCESS_KEY", "SECRET"}};

TEST(RouterConfig, ParsesEveryKeyOfTheExample) {
  auto parsed = parse_router_config(full_example(), kEnv);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const RouterConfig& c = *parsed;
  ASSERT_EQ(c.models.size(), 4u);
  const ModelConfig& m = c.models[0];
  EXPECT_EQ(m.name, "gpt-4o");
  EXPECT_EQ(m.fallbacks, (std::vector<std::string>{"claude-sonnet", "local-llama"}));
  EXPECT_EQ(m.retry.max_attempts, 4);
  EXPECT_EQ(m.retry.base_delay.count(), 50);
  EXPECT_EQ(m.retry.max_delay.count(), 1000);
  EXPECT_EQ(m.retry.total_deadline.count(), 30000);
  EXPECT_EQ(m.breaker.consecutive_failures, 7);
  EXPECT_DOUBLE_EQ(m.breaker.error_rate, 0.25);
  EXPECT_EQ(m.breaker.min_requests, 10);
  EXPECT_EQ(m.breaker.window.count(), 20000);
  EXPECT_EQ(m.breaker.open_duration.count(), 3000);
  EXPECT_EQ(m.breaker.half_open_max_calls, 2);
  EXPECT_TRUE(m.health.enabled);
  EXPECT_EQ(m.health.interval.count(), 5000);
  EXPECT_EQ(m.health.timeout.count(), 1000);
  EXPECT_EQ(m.health.healthy_threshold, 1);
  EXPECT_EQ(m.health.unhealthy_threshold, 4);

  const DeploymentConfig& d = m.deployments[0];
  EXPECT_EQ(d.id, "openai-east");
  EXPECT_EQ(d.provider.adapter, "openai");
  EXPECT_EQ(d.provider.base_url, "https://api.openai.com");
  EXPECT_EQ(d.provider.upstream_model, "gpt-4o-2024-08-06");
  EXPECT_EQ(d.provider.api_key, "sk-openai");
  EXPECT_DOUBLE_EQ(d.weight, 2);
  EXPECT_EQ(d.max_concurrent, 128);
  EXPECT_EQ(d.provider.headers.at("OpenAI-Organization"), "org-1");
  EXPECT_EQ(d.provider.connect_timeout.count(), 1000);
  EXPECT_EQ(d.provider.first_byte_timeout.count(), 2000);
  EXPECT_EQ(d.provider.total_timeout.count(), 3000);
  EXPECT_EQ(d.provider.idle_read_timeout.count(), 4000);
  EXPECT_FALSE(d.provider.verify_tls);

  // Defaults: id from model and index, upstream model = public name, weight 1, 256 in flight.
  const DeploymentConfig& d2 = m.deployments[1];
  EXPECT_EQ(d2.id, "gpt-4o#1");
  EXPECT_EQ(d2.provider.upstream_model, "gpt-4o");
  EXPECT_DOUBLE_EQ(d2.weight, 1);
  EXPECT_EQ(d2.max_concurrent, 256);
  EXPECT_TRUE(d2.provider.api_key.empty());
  EXPECT_TRUE(d2.provider.verify_tls);
  EXPECT_TRUE(d2.provider.ca_file.empty());
  EXPECT_TRUE(m.panic);  // the default
  EXPECT_FALSE(c.models[1].panic);

  EXPECT_EQ(c.models[1].deployments[0].provider.base_url, "https://api.anthropic.com");
  EXPECT_EQ(c.models[1].deployments[0].provider.api_key, "sk-ant");
  EXPECT_EQ(c.models[1].retry.max_attempts, 3);  // section absent: defaults
  EXPECT_EQ(c.models[1].breaker.consecutive_failures, 5);
  EXPECT_EQ(c.models[2].deployments[0].provider.options.at("num_ctx"), 8192);
  const auto& bedrock = c.models[3].deployments[0].provider;
  EXPECT_EQ(bedrock.region, "us-east-1");
  EXPECT_EQ(bedrock.base_url, "https://bedrock-runtime.us-east-1.amazonaws.com");
  EXPECT_EQ(bedrock.aws_access_key_id, "AKID");
  EXPECT_EQ(bedrock.aws_secret_access_key, "SECRET");
}

TEST(RouterConfig, AbsentOrNullSectionMeansNoModels) {
  auto none = parse_router_config(json::object(), {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->models.empty());
  auto null_section = parse_router_config(json{{"models", nullptr}}, {});
  ASSERT_TRUE(null_section.ok());
  EXPECT_TRUE(null_section->models.empty());
}

TEST(RouterConfig, SecretFromFileHasItsTrailingNewlineTrimmed) {
  const std::string path = ::testing::TempDir() + "/router_config_test_key";
  {
    std::ofstream out(path);
    out << "sk-from-file\n";
  }
  json config = full_example();
  json& d = config["models"][0]["deployments"][0];
  d.erase("api_key_env");
  d["api_key_file"] = path;
  auto parsed = parse_router_config(config, kEnv);
  std::remove(path.c_str());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->models[0].deployments[0].provider.api_key, "sk-from-file");
}

TEST(RouterConfig, CaFileIsKeptWhenReadable) {
  const std::string path = ::testing::TempDir() + "/router_config_test_ca.pem";
  {
    std::ofstream out(path);
    out << "-----BEGIN CERTIFICATE-----\n";
  }
  json config = full_example();
  dep_ca(config) = path;
  auto parsed = parse_router_config(config, kEnv);
  std::remove(path.c_str());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->models[0].deployments[1].provider.ca_file, path);
  EXPECT_TRUE(parsed->models[0].deployments[1].provider.verify_tls);
}

struct BadCase {
  std::string name;
  std::function<void(json&)> mutate;
  std::string expected_prefix;
};

// gtest would otherwise print the raw bytes of the struct (padding included).
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class RouterConfigRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(RouterConfigRejects, NamingTheKey) {
  json config = full_example();
  GetParam().mutate(config);
  auto parsed = parse_router_config(config, kEnv);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.code(), ErrorCode::kConfigInvalid);
  EXPECT_EQ(parsed.error().message.rfind(GetParam().expected_prefix, 0), 0u)
      << "got: " << parsed.error().message;
}

json& dep(json& c, int m, int d) { return c["models"][m]["deployments"][d]; }

INSTANTIATE_TEST_SUITE_P(
    Validation, RouterConfigRejects,
    ::testing::Values(
        BadCase{"ModelsNotAList", [](json& c) { c["models"] = "gpt"; }, "models: must be a list"},
        BadCase{"ZeroWeight", [](json& c) { dep(c, 0, 1)["weight"] = 0; },
                "models[0].deployments[1].weight: must be > 0"},
        BadCase{"InlineApiKey", [](json& c) { dep(c, 0, 0)["api_key"] = "sk-123"; },
                "models[0].deployments[0].api_key: inline secrets are not allowed"},
        BadCase{"InlineAwsSecret", [](json& c) { dep(c, 3, 0)["aws_secret_access_key"] = "x"; },
                "models[3].deployments[0].aws_secret_access_key: inline secrets"},
        BadCase{"MissingEnvVar", [](json& c) { dep(c, 0, 0)["api_key_env"] = "NOPE"; },
                "models[0].deployments[0].api_key_env: environment variable NOPE is not set"},
        BadCase{"BothEnvAndFile",
                [](json& c) { dep(c, 1, 0)["api_key_file"] = "/nonexistent/key"; },
                "models[1].deployments[0].api_key_env: give either"},
        BadCase{"UnreadableSecretFile",
                [](json& c) {
                  dep(c, 1, 0).erase("api_key_env");
                  dep(c, 1, 0)["api_key_file"] = "/nonexistent/key";
                },
                "models[1].deployments[0].api_key_file: cannot read"},
        BadCase{"UnreadableCaFile", [](json& c) { dep_ca(c) = "/nonexistent/ca.pem"; },
                "models[0].deployments[1].ca_file: cannot read '/nonexistent/ca.pem'"},
        BadCase{"CaFileWithVerificationOff",
                [](json& c) { dep(c, 0, 0)["ca_file"] = "/nonexistent/ca.pem"; },
                "models[0].deployments[0].ca_file: has no effect with verify_tls: false"},
        BadCase{"VerifyTlsNotBool", [](json& c) { dep(c, 0, 0)["verify_tls"] = "no"; },
                "models[0].deployments[0].verify_tls: must be true or false"},
        BadCase{"PanicNotBool", [](json& c) { c["models"][1]["panic"] = "on"; },
                "models[1].panic: must be true or false"},
        BadCase{"UnknownModelKey", [](json& c) { c["models"][0]["retries"] = 3; },
                "models[0].retries: unknown key"},
        BadCase{"UnknownDeploymentKey", [](json& c) { dep(c, 0, 1)["wieght"] = 2; },
                "models[0].deployments[1].wieght: unknown key"},
        BadCase{"UnknownTimeoutKey", [](json& c) { dep(c, 0, 0)["timeouts"]["read_ms"] = 1; },
                "models[0].deployments[0].timeouts.read_ms: unknown key"},
        BadCase{"ZeroTimeout", [](json& c) { dep(c, 0, 0)["timeouts"]["connect_ms"] = 0; },
                "models[0].deployments[0].timeouts.connect_ms: must be > 0"},
        BadCase{"UnknownAdapter", [](json& c) { dep(c, 0, 1)["adapter"] = "grpc"; },
                "models[0].deployments[1].adapter: unknown adapter 'grpc'"},
        BadCase{"MissingAdapter", [](json& c) { dep(c, 0, 1).erase("adapter"); },
                "models[0].deployments[1].adapter: is required"},
        BadCase{"NonHttpBaseUrl", [](json& c) { dep(c, 0, 1)["base_url"] = "ftp://x"; },
                "models[0].deployments[1].base_url: must be an http(s) URL"},
        BadCase{"OllamaWithoutBaseUrl", [](json& c) { dep(c, 2, 0).erase("base_url"); },
                "models[2].deployments[0].base_url: is required"},
        BadCase{"BedrockWithoutRegion", [](json& c) { dep(c, 3, 0).erase("region"); },
                "models[3].deployments[0].region: is required"},
        BadCase{"ZeroMaxConcurrent", [](json& c) { dep(c, 0, 0)["max_concurrent"] = 0; },
                "models[0].deployments[0].max_concurrent: must be between 1"},
        BadCase{"FractionalInteger", [](json& c) { dep(c, 0, 0)["max_concurrent"] = 1.5; },
                "models[0].deployments[0].max_concurrent: must be an integer"},
        BadCase{"HeaderNotAString", [](json& c) { dep(c, 0, 0)["headers"]["X-A"] = json::array(); },
                "models[0].deployments[0].headers.X-A: must be a string"},
        BadCase{"ZeroAttempts", [](json& c) { c["models"][0]["retry"]["max_attempts"] = 0; },
                "models[0].retry.max_attempts: must be between 1"},
        BadCase{"MaxDelayBelowBase", [](json& c) { c["models"][0]["retry"]["max_delay_ms"] = 10; },
                "models[0].retry.max_delay_ms: must be >= base_delay_ms"},
        BadCase{"ErrorRateAboveOne", [](json& c) { c["models"][0]["breaker"]["error_rate"] = 1.5; },
                "models[0].breaker.error_rate: must be between 0 and 1"},
        BadCase{"TinyBreakerWindow", [](json& c) { c["models"][0]["breaker"]["window_ms"] = 5; },
                "models[0].breaker.window_ms: must be >= 10"},
        BadCase{"NegativeBaseDelay", [](json& c) { c["models"][0]["retry"]["base_delay_ms"] = -1; },
                "models[0].retry.base_delay_ms: must be >= 0"},
        BadCase{"DeploymentNotAMapping", [](json& c) { dep(c, 0, 1) = "openai"; },
                "models[0].deployments[1]: must be a mapping"},
        BadCase{"ZeroHealthInterval", [](json& c) { c["models"][0]["health"]["interval_ms"] = 0; },
                "models[0].health.interval_ms: must be > 0"},
        BadCase{"HealthEnabledNotBool",
                [](json& c) { c["models"][0]["health"]["enabled"] = "yes"; },
                "models[0].health.enabled: must be true or false"},
        BadCase{"MissingName", [](json& c) { c["models"][1].erase("name"); },
                "models[1].name: is required"},
        BadCase{"NoDeployments", [](json& c) { c["models"][1]["deployments"] = json::array(); },
                "models[1].deployments: at least one"},
        BadCase{"DuplicateModel", [](json& c) { c["models"][2]["name"] = "gpt-4o"; },
                "models[2].name: duplicate model name 'gpt-4o'"},
        BadCase{"DuplicateDeploymentId", [](json& c) { dep(c, 1, 0)["id"] = "openai-east"; },
                "models[1].deployments[0].id: duplicate deployment id 'openai-east'"},
        BadCase{"UnknownFallback", [](json& c) { c["models"][0]["fallbacks"][1] = "gpt-5"; },
                "models[0].fallbacks[1]: unknown model 'gpt-5'"},
        BadCase{"SelfFallback", [](json& c) { c["models"][0]["fallbacks"][0] = "gpt-4o"; },
                "models[0].fallbacks[0]: a model cannot fall back to itself"},
        BadCase{"FallbackCycle",
                [](json& c) { c["models"][2]["fallbacks"] = json::array({"gpt-4o"}); },
                "models[0].fallbacks: fallbacks form a cycle: gpt-4o -> local-llama -> gpt-4o"}),
    [](const ::testing::TestParamInfo<BadCase>& param_info) { return param_info.param.name; });

TEST(RouterConfig, ValidateCatchesProblemsInConfigBuiltInCode) {
  RouterConfig c;
  ModelConfig m;
  m.name = "a";
  DeploymentConfig d;
  d.id = "x";
  m.deployments.push_back(d);
  m.fallbacks.push_back("b");
  c.models.push_back(m);
  auto status = validate_router_config(c);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "models[0].fallbacks[0]: unknown model 'b'");
}

// A config with any value of another type, out of range, missing or repeated is refused with a
// message naming what is wrong, never by an exception (a reload keeps the old config then).
TEST(RouterConfigTest, EveryWrongShapeIsAnErrorNotAnException) {
  int refused = 0;
  osprey::testing::for_each_json_mutation(full_example(), 3, 3000, [&](const json& config) {
    Result<RouterConfig> parsed = Error{ErrorCode::kInternal, "not parsed"};
    EXPECT_NO_THROW(parsed = parse_router_config(config, kEnv)) << config.dump();
    if (!parsed.ok()) {
      ++refused;
      EXPECT_EQ(parsed.error().code, ErrorCode::kConfigInvalid) << config.dump();
      EXPECT_FALSE(parsed.error().message.empty());
    }
  });
  EXPECT_GT(refused, 1000);
}

}  // namespace
}  // namespace osprey::router
