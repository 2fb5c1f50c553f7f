// AnthropicProvider against the fake Anthropic upstream: the shared adapter contract plus the
// Anthropic-only wiring (x-api-key, anthropic-version, required api_key, probe auth).
#include "providers/anthropic/anthropic_provider.h"

#include "unit/providers/adapter_fixture.h"

namespace osprey::providers::testing {
namespace {

AdapterCase anthropic_case() {
  AdapterCase c;
  c.name = "anthropic";
  c.vendor = fakes::Vendor::kAnthropic;
  c.fake_api_key = "ant-test";
  c.config = [](const std::string& base_url) {
    ProviderConfig p;
    p.adapter = "anthropic";
    p.base_url = base_url;
    p.upstream_model = "claude-3-5-haiku-latest";
    p.api_key = "ant-test";
    p.headers = {{"x-extra", "yes"}};
    return p;
  };
  c.chat_path = "/v1/messages";
  c.probe_path = "/v1/models";
  c.temperature = [](const json& body) { return body.value("temperature", json()); };
  c.system_text = [](const json& body) {
    const json s = body.value("system", json());
    if (s.is_string()) return s.get<std::string>();
    if (s.is_array() && !s.empty()) return s[0].value("text", std::string());
    return std::string();
  };
  c.tool_choice = [](const json& body) { return body.value("tool_choice", json()); };
  c.expected_tool_choice = {{"type", "tool"}, {"name", "get_weather"}};
  return c;
}

INSTANTIATE_TEST_SUITE_P(Anthropic, AdapterTest, ::testing::Values(anthropic_case()),
                         [](const auto&) { return std::string("anthropic"); });

class AnthropicProviderTest : public AdapterTest {};

TEST_P(AnthropicProviderTest, SendsKeyAndVersionHeaders) {
  auto p = make();
  ASSERT_TRUE(p);
  ASSERT_TRUE(chat(*p, user_says("hi")).ok());
  EXPECT_TRUE(last_body().contains("max_tokens"));  // required by the Messages API
  ASSERT_TRUE(probe(*p).ok());
  for (const auto& seen : fake_->requests()) {
    EXPECT_EQ(seen.header("x-api-key"), "ant-test");
    EXPECT_EQ(seen.header("anthropic-version"), "2023-06-01");
  }
}

TEST_P(AnthropicProviderTest, RegistryRequiresApiKey) {
  ProviderConfig c = config();
  c.api_key.clear();
  ProviderRegistry registry;
  register_builtin_providers(registry);
  auto p = registry.create(c, client_);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kConfigInvalid);
  EXPECT_NE(p.error().message.find("api_key"), std::string::npos) << p.error().message;
}

TEST_P(AnthropicProviderTest, OverloadedIsRetryable) {
  auto p = make();
  ASSERT_TRUE(p);
  fakes::FaultConfig f;
  f.status = 529;
  fake_->set_faults(f);
  auto r = chat(*p, user_says("hi"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUpstreamError);
  EXPECT_TRUE(r.error().retryable);
}

INSTANTIATE_TEST_SUITE_P(Anthropic, AnthropicProviderTest, ::testing::Values(anthropic_case()),
                         [](const auto&) { return std::string("anthropic"); });

}  // namespace
}  // namespace osprey::providers::testing
