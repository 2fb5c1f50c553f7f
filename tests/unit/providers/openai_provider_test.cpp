// OpenAiProvider against the fake OpenAI upstream: the shared adapter contract plus the
// OpenAI-only wiring (Bearer auth, /v1 in base_url, provider options as top-level fields).
#include "providers/openai/openai_provider.h"

#include "unit/providers/adapter_fixture.h"

namespace osprey::providers::testing {
namespace {

AdapterCase openai_case() {
  AdapterCase c;
  c.name = "openai";
  c.vendor = fakes::Vendor::kOpenAi;
  c.fake_api_key = "sk-test";
  c.config = [](const std::string& base_url) {
    ProviderConfig p;
    p.adapter = "openai";
    p.base_url = base_url;
    p.upstream_model = "gpt-4o-mini";
    p.api_key = "sk-test";
    p.headers = {{"x-extra", "yes"}};
    return p;
  };
  c.chat_path = "/v1/chat/completions";
  c.probe_path = "/v1/models";
  c.temperature = [](const json& body) { return body.value("temperature", json()); };
  c.system_text = [](const json& body) {
    const json& first = body["messages"][0];
    return first["role"] == "system" ? first["content"].get<std::string>() : std::string();
  };
  c.tool_choice = [](const json& body) { return body.value("tool_choice", json()); };
  c.expected_tool_choice = {{"type", "function"}, {"function", {{"name", "get_weather"}}}};
  return c;
}

INSTANTIATE_TEST_SUITE_P(OpenAi, AdapterTest, ::testing::Values(openai_case()),
                         [](const auto&) { return std::string("openai"); });

class OpenAiProviderTest : public AdapterTest {};

TEST_P(OpenAiProviderTest, SendsBearerKeyAndStreamOptions) {
  auto p = make();
  ASSERT_TRUE(p);
  StreamOutcome s = stream(*p, user_says("hi"));
  ASSERT_FALSE(s.error);
  const auto seen = fake_->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("authorization"), "Bearer sk-test");
  const json body = last_body();
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
}

TEST_P(OpenAiProviderTest, BaseUrlEndingInV1IsNotDoubled) {
  ProviderConfig c = config();
  c.base_url += "/v1/";
  auto p = make(c);
  ASSERT_TRUE(p);
  ASSERT_TRUE(chat(*p, user_says("hi")).ok());
  ASSERT_TRUE(probe(*p).ok());
  const auto seen = fake_->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].path, "/v1/chat/completions");
  EXPECT_EQ(seen[1].path, "/v1/models");
}

// The chat URL is parsed once at construction; one that does not parse (create() refuses it,
// the constructor does not) fails each call in the client, as before, without sending.
TEST_P(OpenAiProviderTest, UnparsableChatUrlFailsEachCallWithoutSending) {
  ProviderConfig c = config();
  c.base_url = "http://bad host";
  const openai::OpenAiProvider p(c, client_);
  for (int i = 0; i < 2; ++i) {
    auto r = chat(p, user_says("hi"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUpstreamError);
    EXPECT_NE(r.error().message.find("invalid URL"), std::string::npos) << r.error().message;
  }
  EXPECT_TRUE(fake_->requests().empty());
}

TEST_P(OpenAiProviderTest, ConfigOptionsGoUnderRequestOptionsAsTopLevelFields) {
  ProviderConfig c = config();
  c.options = {{"top_k", 40}, {"repetition_penalty", 1.1}};
  auto p = make(c);
  ASSERT_TRUE(p);
  ChatRequest req = user_says("hi");
  req.provider_options = {{"top_k", 5}};
  req.inference.max_tokens = 10;
  ASSERT_TRUE(chat(*p, req).ok());
  const json body = last_body();
  EXPECT_EQ(body["top_k"], 5);
  EXPECT_EQ(body["repetition_penalty"], 1.1);
  EXPECT_EQ(body["max_tokens"], 10);
}

TEST_P(OpenAiProviderTest, UnknownRequestFieldsAreForwardedWithAndWithoutOptions) {
  ChatRequest req = user_says("hi");
  req.extra = {{"n", 2}, {"top_k", 7}};
  auto plain = make(config());  // no options: `extra` is written as it is
  ASSERT_TRUE(plain);
  ASSERT_TRUE(chat(*plain, req).ok());
  json body = last_body();
  EXPECT_EQ(body["n"], 2);
  EXPECT_EQ(body["top_k"], 7);
  EXPECT_FALSE(body.contains("repetition_penalty"));

  ProviderConfig c = config();
  c.options = {{"top_k", 40}, {"repetition_penalty", 1.1}};
  auto with_options = make(c);  // merged: the request's own fields win over the options
  ASSERT_TRUE(with_options);
  ASSERT_TRUE(chat(*with_options, req).ok());
  body = last_body();
  EXPECT_EQ(body["n"], 2);
  EXPECT_EQ(body["top_k"], 7);
  EXPECT_EQ(body["repetition_penalty"], 1.1);
}

TEST_P(OpenAiProviderTest, NoKeyMeansNoAuthorizationHeader) {
  ProviderConfig c = config();
  c.api_key.clear();
  auto p = make(c);
  ASSERT_TRUE(p);
  auto r = chat(*p, user_says("hi"));  // the fake wants a key: 401
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 401);
  EXPECT_FALSE(fake_->requests().back().has_header("authorization"));
}

TEST_P(OpenAiProviderTest, RegistryRequiresBaseUrl) {
  ProviderConfig c = config();
  c.base_url.clear();
  ProviderRegistry registry;
  register_builtin_providers(registry);
  auto p = registry.create(c, client_);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kConfigInvalid);
  EXPECT_NE(p.error().message.find("base_url"), std::string::npos);
  c.base_url = "ftp://nope";
  auto bad = registry.create(c, client_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("base_url"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(OpenAi, OpenAiProviderTest, ::testing::Values(openai_case()),
                         [](const auto&) { return std::string("openai"); });

}  // namespace
}  // namespace osprey::providers::testing
