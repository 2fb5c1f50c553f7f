// OllamaProvider against the fake Ollama upstream: the shared adapter contract plus the
// Ollama-only wiring (stream:false for plain chats, options under `options`, tool choice none).
#include "providers/ollama/ollama_provider.h"

#include "unit/providers/adapter_fixture.h"

namespace osprey::providers::testing {
namespace {

AdapterCase ollama_case() {
  AdapterCase c;
  c.name = "ollama";
  c.vendor = fakes::Vendor::kOllama;
  c.config = [](const std::string& base_url) {
    ProviderConfig p;
    p.adapter = "ollama";
    p.base_url = base_url;
    p.upstream_model = "llama3.2:1b";
    p.headers = {{"x-extra", "yes"}};
    return p;
  };
  c.chat_path = "/api/chat";
  c.probe_path = "/api/tags";
  c.temperature = [](const json& body) {
    return body.contains("options") ? body["options"].value("temperature", json()) : json();
  };
  c.system_text = [](const json& body) {
    const json& first = body["messages"][0];
    return first["role"] == "system" ? first["content"].get<std::string>() : std::string();
  };
  return c;  // Ollama has no tool_choice field
}

INSTANTIATE_TEST_SUITE_P(Ollama, AdapterTest, ::testing::Values(ollama_case()),
                         [](const auto&) { return std::string("ollama"); });

class OllamaProviderTest : public AdapterTest {};

TEST_P(OllamaProviderTest, ChatAsksForOneBodyAndStreamForLines) {
  auto p = make();
  ASSERT_TRUE(p);
  ASSERT_TRUE(chat(*p, user_says("hi")).ok());
  EXPECT_EQ(last_body()["stream"], false);
  StreamOutcome s = stream(*p, user_says("hi"));
  ASSERT_FALSE(s.error);
  EXPECT_TRUE(s.clean_end);
  EXPECT_EQ(last_body()["stream"], true);
}

TEST_P(OllamaProviderTest, ConfigOptionsGoUnderRequestOptions) {
  ProviderConfig c = config();
  c.options = {{"num_ctx", 8192}, {"top_k", 40}};
  auto p = make(c);
  ASSERT_TRUE(p);
  ChatRequest req = user_says("hi");
  req.provider_options = {{"top_k", 5}};
  ASSERT_TRUE(chat(*p, req).ok());
  const json options = last_body()["options"];
  EXPECT_EQ(options["num_ctx"], 8192);
  EXPECT_EQ(options["top_k"], 5);
}

TEST_P(OllamaProviderTest, ToolChoiceNoneLeavesTheToolsOut) {
  auto p = make();
  ASSERT_TRUE(p);
  ChatRequest req = user_says("weather?");
  req.tools.push_back(weather_tool());
  req.tool_choice = ToolChoice{ToolChoice::Kind::kNone, ""};
  auto r = chat(*p, req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(last_body().contains("tools"));
  EXPECT_EQ(response_text(*r), "echo: weather?");
}

TEST_P(OllamaProviderTest, ImageUrlIsRejectedBeforeSending) {
  auto p = make();
  ASSERT_TRUE(p);
  ChatRequest req = user_says("look");
  req.messages[0].content.push_back(ImageBlock{"http://example.com/cat.png", "", ""});
  auto r = chat(*p, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  EXPECT_TRUE(fake_->requests().empty());
}

INSTANTIATE_TEST_SUITE_P(Ollama, OllamaProviderTest, ::testing::Values(ollama_case()),
                         [](const auto&) { return std::string("ollama"); });

}  // namespace
}  // namespace osprey::providers::testing
