#include "providers/bedrock/batch_model_input.h"

#include <gtest/gtest.h>

#include "unit/providers/fixture_file.h"

namespace osprey::providers::bedrock {
namespace {

using nlohmann::json;
using providers::testing::read_json_fixture;

// A Converse-style request with everything a review batch uses: system text, an inline image,
// a tool call and its result, a tool, a forced tool choice, temperature 0, top_p, top_k, a stop
// sequence and max tokens.
ChatRequest review_request() {
  ChatRequest req;
  req.model = "anthropic.claude-3-haiku-20240307-v1:0";
  req.system = {"You review code against rules."};
  req.messages.push_back(
      {Role::kUser,
       {TextBlock{"Review this screenshot."}, ImageBlock{"", "image/png", "\x89PNG\r\n\x1a\n"}}});
  req.messages.push_back(
      {Role::kAssistant,
       {ToolUseBlock{"toolu_01", "report_findings",
                     json{{"complianceStatus", "compliant"}, {"findings", json::array()}}}}});
  ToolResultBlock result;
  result.tool_use_id = "toolu_01";
  result.content.push_back({ToolResultPart::Kind::kText, "recorded", {}});
  req.messages.push_back({Role::kUser, {result, TextBlock{"Now review main.cpp."}}});
  req.tools.push_back({"report_findings", "Report the review findings",
                       json::parse(R"({"type":"object","properties":{
           "complianceStatus":{"type":"string","enum":["compliant","non-compliant"]},
           "findings":{"type":"array","items":{"type":"object"}}},
           "required":["complianceStatus","findings"]})")});
  req.tool_choice = ToolChoice{ToolChoice::Kind::kTool, "report_findings"};
  req.inference.temperature = 0.0;
  req.inference.top_p = 0.9;
  req.inference.max_tokens = 512;
  req.inference.stop = {"</review>"};
  req.provider_options = {{"top_k", 40}};
  req.user = "tenant-a";  // has no place in a batch record
  return req;
}

TEST(BatchModelInput, ClaudeRecordIsTheDocumentedMessagesBody) {
  auto body = build_claude_model_input(review_request());
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(*body, read_json_fixture("bedrock/batch_claude_model_input.json")) << body->dump(2);
  // temperature 0 is sent, not dropped as "unset"
  ASSERT_TRUE(body->contains("temperature"));
  EXPECT_TRUE((*body)["temperature"].is_number());
  EXPECT_FALSE(body->contains("toolConfig"));  // Claude's tool choice is tool_choice
}

TEST(BatchModelInput, NovaRecordIsTheDocumentedMessagesV1Body) {
  auto body = build_nova_model_input(review_request());
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(*body, read_json_fixture("bedrock/batch_nova_model_input.json")) << body->dump(2);
  ASSERT_TRUE((*body)["inferenceConfig"].contains("temperature"));
  EXPECT_FALSE(body->contains("additionalModelRequestFields"));
}

TEST(BatchModelInput, ToolChoiceKindsMapToEachVendorsField) {
  ChatRequest req = review_request();
  req.tool_choice = ToolChoice{ToolChoice::Kind::kAuto, ""};
  EXPECT_EQ((*build_claude_model_input(req))["tool_choice"], (json{{"type", "auto"}}));
  EXPECT_EQ((*build_nova_model_input(req))["toolConfig"]["toolChoice"],
            (json{{"auto", json::object()}}));
  req.tool_choice = ToolChoice{ToolChoice::Kind::kRequired, ""};
  EXPECT_EQ((*build_claude_model_input(req))["tool_choice"], (json{{"type", "any"}}));
  EXPECT_EQ((*build_nova_model_input(req))["toolConfig"]["toolChoice"],
            (json{{"any", json::object()}}));
  req.tool_choice.reset();
  EXPECT_FALSE(build_claude_model_input(req)->contains("tool_choice"));
  EXPECT_FALSE((*build_nova_model_input(req))["toolConfig"].contains("toolChoice"));
}

TEST(BatchModelInput, ToolChoiceNoneDropsToolsUnlessTheHistoryUsesThem) {
  ChatRequest req;
  req.messages.push_back({Role::kUser, {TextBlock{"hi"}}});
  req.tools.push_back({"t", "", json{{"type", "object"}}});
  req.tool_choice = ToolChoice{ToolChoice::Kind::kNone, ""};
  auto claude = build_claude_model_input(req);
  EXPECT_FALSE(claude->contains("tools"));
  EXPECT_FALSE(claude->contains("tool_choice"));
  EXPECT_FALSE(build_nova_model_input(req)->contains("toolConfig"));

  ChatRequest with_history = review_request();
  with_history.tool_choice = ToolChoice{ToolChoice::Kind::kNone, ""};
  auto claude2 = build_claude_model_input(with_history);
  EXPECT_TRUE(claude2->contains("tools"));
  EXPECT_FALSE(claude2->contains("tool_choice"));
  auto nova2 = build_nova_model_input(with_history);
  EXPECT_TRUE(nova2->contains("toolConfig"));
  EXPECT_FALSE((*nova2)["toolConfig"].contains("toolChoice"));
}

TEST(BatchModelInput, ClaudeGetsADefaultMaxTokensAndNovaNone) {
  ChatRequest req;
  req.messages.push_back({Role::kUser, {TextBlock{"hi"}}});
  EXPECT_EQ((*build_claude_model_input(req))["max_tokens"], 4096);
  EXPECT_EQ(*build_nova_model_input(req), json::parse(R"({"schemaVersion":"messages-v1",
                "messages":[{"role":"user","content":[{"text":"hi"}]}]})"));
}

TEST(BatchModelInput, ImageUrlsAreRejectedNamingTheBlock) {
  ChatRequest req;
  req.messages.push_back({Role::kUser, {TextBlock{"see"}, ImageBlock{"https://x/y.png", "", ""}}});
  for (auto family : {BatchModelFamily::kClaude, BatchModelFamily::kNova}) {
    auto body = build_model_input(family, req);
    ASSERT_FALSE(body.ok());
    EXPECT_EQ(body.error().code, ErrorCode::kInvalidRequest);
    EXPECT_NE(body.error().message.find("messages[0].content[1]"), std::string::npos);
  }
}

TEST(BatchModelInput, FamilyFollowsTheModelIdIncludingProfilesAndArns) {
  EXPECT_EQ(batch_model_family("anthropic.claude-3-haiku-20240307-v1:0"),
            BatchModelFamily::kClaude);
  EXPECT_EQ(batch_model_family("us.anthropic.claude-3-5-sonnet-20241022-v2:0"),
            BatchModelFamily::kClaude);
  EXPECT_EQ(batch_model_family("amazon.nova-lite-v1:0"), BatchModelFamily::kNova);
  EXPECT_EQ(batch_model_family("apac.amazon.nova-pro-v1:0"), BatchModelFamily::kNova);
  EXPECT_EQ(batch_model_family("us-gov.amazon.nova-micro-v1:0"), BatchModelFamily::kNova);
  EXPECT_EQ(
      batch_model_family(
          "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"),
      BatchModelFamily::kClaude);
  EXPECT_EQ(
      batch_model_family(
          "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0"),
      BatchModelFamily::kNova);
  EXPECT_EQ(batch_model_family("meta.llama3-70b-instruct-v1:0"), std::nullopt);
  EXPECT_EQ(batch_model_family("amazon.titan-text-express-v1"), std::nullopt);
  EXPECT_EQ(batch_model_family("us.meta.llama3-2-11b-instruct-v1:0"), std::nullopt);
  EXPECT_EQ(batch_model_family("arn:aws:bedrock:us-east-1:123456789012:application-inference-"
                               "profile/a1b2c3d4e5f6"),
            std::nullopt);
  EXPECT_EQ(batch_model_family(""), std::nullopt);
  EXPECT_EQ(parse_batch_model_family("nova"), BatchModelFamily::kNova);
  EXPECT_EQ(parse_batch_model_family("titan"), std::nullopt);
}

TEST(BatchModelInput, ParsedClaudeOutputKeepsToolNamesStopReasonAndUsage) {
  auto r = parse_model_output(BatchModelFamily::kClaude, json::parse(R"({
      "id":"msg_1","type":"message","role":"assistant","model":"claude-3-haiku",
      "content":[{"type":"text","text":"Calling."},
                 {"type":"tool_use","id":"toolu_9","name":"report_findings",
                  "input":{"complianceStatus":"compliant"}}],
      "stop_reason":"tool_use","usage":{"input_tokens":12,"output_tokens":7}})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->content.size(), 2u);
  const auto& call = std::get<ToolUseBlock>(r->content[1]);
  EXPECT_EQ(call.id, "toolu_9");
  EXPECT_EQ(call.name, "report_findings");
  EXPECT_EQ(call.input, (json{{"complianceStatus", "compliant"}}));
  EXPECT_EQ(r->stop_reason, StopReason::kToolUse);
  EXPECT_EQ(r->usage.input_tokens, 12);
  EXPECT_EQ(r->usage.output_tokens, 7);
}

TEST(BatchModelInput, ParsedNovaOutputKeepsToolNamesStopReasonAndUsage) {
  auto r = parse_model_output(BatchModelFamily::kNova, json::parse(R"({
      "output":{"message":{"role":"assistant","content":[
          {"toolUse":{"toolUseId":"tooluse_1","name":"report_findings","input":{"a":1}}}]}},
      "stopReason":"tool_use","usage":{"inputTokens":30,"outputTokens":4,"totalTokens":34}})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->content.size(), 1u);
  const auto& call = std::get<ToolUseBlock>(r->content[0]);
  EXPECT_EQ(call.id, "tooluse_1");
  EXPECT_EQ(call.name, "report_findings");
  EXPECT_EQ(r->stop_reason, StopReason::kToolUse);
  EXPECT_EQ(r->usage.input_tokens, 30);
  EXPECT_EQ(r->usage.output_tokens, 4);
}

TEST(BatchModelInput, OutputOfTheWrongShapeIsAnError) {
  EXPECT_FALSE(parse_model_output(BatchModelFamily::kClaude, json{{"output", 1}}).ok());
  EXPECT_FALSE(parse_model_output(BatchModelFamily::kNova, json{{"content", json::array()}}).ok());
  EXPECT_FALSE(parse_model_output(BatchModelFamily::kNova, json::array()).ok());
}

}  // namespace
}  // namespace osprey::providers::bedrock
