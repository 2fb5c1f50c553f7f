// The pre-call token estimate: ceil(chars / 4) of what the model reads, 4 per message, 85 per
// image, plus max_tokens or the configured default.
#include "gateway/limits/token_estimator.h"

#include <gtest/gtest.h>

#include <string>

namespace osprey::gateway {
namespace {

providers::Message user(std::string text) {
  providers::Message m;
  m.role = providers::Role::kUser;
  m.content.push_back(providers::TextBlock{std::move(text)});
  return m;
}

TEST(TokenEstimatorTest, CountsQuarterCharactersPlusFramingAndDefaultOutput) {
  providers::ChatRequest request;
  request.messages.push_back(user(std::string(40, 'a')));  // 10 tokens
  request.messages.push_back(user(std::string(6, 'b')));   // 6 chars → the sum rounds up
  const TokenEstimate e = estimate_tokens(request, 256);
  EXPECT_EQ(e.prompt_tokens, 12 + 2 * 4);  // ceil(46 / 4) + framing
  EXPECT_EQ(e.max_output_tokens, 256);
  EXPECT_EQ(e.total(), 276);
}

TEST(TokenEstimatorTest, RequestedMaxTokensReplacesTheDefault) {
  providers::ChatRequest request;
  request.messages.push_back(user("abcd"));
  request.inference.max_tokens = 7;
  EXPECT_EQ(estimate_tokens(request, 256).max_output_tokens, 7);
  request.inference.max_tokens = 0;
  EXPECT_EQ(estimate_tokens(request, 256).max_output_tokens, 0);
}

TEST(TokenEstimatorTest, CountsSystemToolsToolCallsAndImages) {
  providers::ChatRequest request;
  request.system.push_back(std::string(8, 's'));
  providers::Message m;
  m.role = providers::Role::kAssistant;
  m.content.push_back(providers::ToolUseBlock{"id", "fn", nlohmann::json{{"x", 1}}});
  m.content.push_back(providers::ImageBlock{"http://img", "", ""});
  request.messages.push_back(m);
  providers::ToolSpec tool;
  tool.name = "lookup";
  tool.description = "find";
  request.tools.push_back(tool);
  const std::size_t chars =
      8 + 2 + std::string(R"({"x":1})").size() + 6 + 4 + std::string("{}").size();
  EXPECT_EQ(estimate_tokens(request, 0).prompt_tokens, estimate_text_tokens(chars) + 4 + 85);
}

TEST(TokenEstimatorTest, EmptyRequestEstimatesNothing) {
  EXPECT_EQ(estimate_tokens(providers::ChatRequest{}, 0).total(), 0);
  EXPECT_EQ(estimate_text_tokens(0), 0);
  EXPECT_EQ(estimate_text_tokens(1), 1);
  EXPECT_EQ(estimate_text_tokens(4), 1);
  EXPECT_EQ(estimate_text_tokens(5), 2);
}

}  // namespace
}  // namespace osprey::gateway
