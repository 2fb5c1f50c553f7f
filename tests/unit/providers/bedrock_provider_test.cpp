// BedrockProvider against the fake Bedrock upstream: the shared adapter contract plus the
// Bedrock-only wiring (SigV4 headers, model id percent-encoded in the path, converse-stream,
// credentials from config or environment, probe host).
#include "providers/bedrock/bedrock_provider.h"

#include "unit/providers/adapter_fixture.h"

namespace osprey::providers::testing {
namespace {

constexpr const char* kModel = "anthropic.claude-3-haiku-20240307-v1:0";

AdapterCase bedrock_case() {
  AdapterCase c;
  c.name = "bedrock";
  c.vendor = fakes::Vendor::kBedrock;
  c.fake_api_key = "AKIDEXAMPLE";  // the fake checks the SigV4 access key id
  c.config = [](const std::string& base_url) {
    ProviderConfig p;
    p.adapter = "bedrock";
    p.base_url = base_url;
    p.region = "us-east-1";
    p.upstream_model = kModel;
    p.aws_access_key_id = "AKIDEXAMPLE";
    p.aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    p.headers = {{"x-extra", "yes"}};
    return p;
  };
  c.chat_path = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse";
  c.probe_path = "/foundation-models";
  c.auth_failure_status = 403;
  c.temperature = [](const json& body) {
    return body.contains("inferenceConfig") ? body["inferenceConfig"].value("temperature", json())
                                            : json();
  };
  c.system_text = [](const json& body) {
    const json s = body.value("system", json());
    return s.is_array() && !s.empty() ? s[0].value("text", std::string()) : std::string();
  };
  c.tool_choice = [](const json& body) {
    return body.contains("toolConfig") ? body["toolConfig"].value("toolChoice", json()) : json();
  };
  c.expected_tool_choice = {{"tool", {{"name", "get_weather"}}}};
  return c;
}

INSTANTIATE_TEST_SUITE_P(Bedrock, AdapterTest, ::testing::Values(bedrock_case()),
                         [](const auto&) { return std::string("bedrock"); });

class BedrockProviderTest : public AdapterTest {};

TEST_P(BedrockProviderTest, SignsEveryRequestWithSigV4) {
  auto p = make();
  ASSERT_TRUE(p);
  ASSERT_TRUE(chat(*p, user_says("hi")).ok());
  const auto seen = fake_->requests();
  ASSERT_EQ(seen.size(), 1u);
  const std::string auth = seen[0].header("authorization");
  EXPECT_TRUE(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")) << auth;
  EXPECT_NE(auth.find("/us-east-1/bedrock/aws4_request"), std::string::npos) << auth;
  EXPECT_NE(auth.find("SignedHeaders="), std::string::npos);
  EXPECT_NE(auth.find("host"), std::string::npos);
  EXPECT_FALSE(seen[0].header("x-amz-date").empty());
  EXPECT_FALSE(last_body().contains("model"));  // the model id travels in the path
}

TEST_P(BedrockProviderTest, StreamsOverConverseStream) {
  auto p = make();
  ASSERT_TRUE(p);
  StreamOutcome s = stream(*p, user_says("one two"));
  ASSERT_FALSE(s.error);
  EXPECT_TRUE(s.clean_end);
  EXPECT_EQ(fake_->requests().back().path,
            "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream");
  EXPECT_EQ(s.assembled.model, kModel);
}

TEST_P(BedrockProviderTest, SessionTokenIsSent) {
  ProviderConfig c = config();
  c.aws_session_token = "session-token";
  auto p = make(c);
  ASSERT_TRUE(p);
  ASSERT_TRUE(chat(*p, user_says("hi")).ok());
  EXPECT_EQ(fake_->requests().back().header("x-amz-security-token"), "session-token");
}

TEST_P(BedrockProviderTest, CredentialsComeFromTheEnvironmentWhenConfigHasNone) {
  ProviderConfig c = config();
  c.aws_access_key_id.clear();
  c.aws_secret_access_key.clear();
  auto env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "AWS_ACCESS_KEY_ID") return std::string("AKIDEXAMPLE");
    if (name == "AWS_SECRET_ACCESS_KEY") return std::string("secret");
    return std::nullopt;
  };
  auto p = bedrock::BedrockProvider::create(c, client_, env);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(chat(**p, user_says("hi")).ok());
}

TEST_P(BedrockProviderTest, ConfigErrorsNameTheField) {
  auto no_env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  ProviderConfig c = config();
  c.region.clear();
  auto r = bedrock::BedrockProvider::create(c, client_, no_env);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfigInvalid);
  EXPECT_NE(r.error().message.find("region"), std::string::npos);

  c = config();
  c.aws_secret_access_key.clear();
  r = bedrock::BedrockProvider::create(c, client_, no_env);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("aws_secret_access_key"), std::string::npos);

  c = config();
  c.aws_access_key_id.clear();
  c.aws_secret_access_key.clear();
  r = bedrock::BedrockProvider::create(c, client_, no_env);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfigInvalid);
  EXPECT_EQ(r.error().message.find("wJalr"), std::string::npos);  // no secret in messages
}

TEST_P(BedrockProviderTest, ThrottlingIsRateLimited) {
  auto p = make();
  ASSERT_TRUE(p);
  fakes::FaultConfig f;
  f.status = 429;
  fake_->set_faults(f);
  auto r = chat(*p, user_says("hi"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUpstreamRateLimited);
  EXPECT_NE(r.error().message.find("ThrottlingException"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Bedrock, BedrockProviderTest, ::testing::Values(bedrock_case()),
                         [](const auto&) { return std::string("bedrock"); });

}  // namespace
}  // namespace osprey::providers::testing
