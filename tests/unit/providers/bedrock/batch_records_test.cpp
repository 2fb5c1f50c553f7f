#include "providers/bedrock/batch_records.h"

#include <gtest/gtest.h>

#include "unit/providers/fixture_file.h"
#include "unit/providers/jsonl_lines.h"

namespace osprey::providers::bedrock {
namespace {

using nlohmann::json;
using providers::testing::jsonl_lines;
using providers::testing::read_fixture;

TEST(BatchRecords, RecordIdsAreElevenAlphanumericCharactersAndRoundTrip) {
  EXPECT_EQ(record_id_at(7), "REC00000007");
  EXPECT_EQ(record_id_at(49999), "REC00049999");
  EXPECT_EQ(record_index("REC00000007"), 7u);
  EXPECT_EQ(record_index("PAD00000007"), std::nullopt);
  EXPECT_EQ(record_index("REC0000007"), std::nullopt);
  EXPECT_EQ(record_index("REC0000000x"), std::nullopt);
  EXPECT_EQ(record_index("osprey-pad-000001"), std::nullopt);
}

TEST(BatchRecords, InputFileHasOneRecordPerModelInputInOrder) {
  const json a = {{"anthropic_version", "bedrock-2023-05-31"}, {"max_tokens", 5}};
  const json b = {{"anthropic_version", "bedrock-2023-05-31"}, {"max_tokens", 6}};
  const std::string text = build_input_file({a, b});
  EXPECT_EQ(text.back(), '\n');
  const auto lines = jsonl_lines(text);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], (json{{"recordId", "REC00000000"}, {"modelInput", a}}));
  EXPECT_EQ(lines[1], (json{{"recordId", "REC00000001"}, {"modelInput", b}}));
  EXPECT_EQ(build_input_file({}), "");
}

TEST(BatchRecords, ClaudeOutputKeepsToolNamesStopReasonsUsageAndErrors) {
  const BatchOutput out = parse_output_file(read_fixture("bedrock/batch_output_claude.jsonl.out"),
                                            BatchModelFamily::kClaude);
  EXPECT_TRUE(out.bad_lines.empty());
  ASSERT_EQ(out.records.size(), 4u);

  const BatchRecordResult& first = out.records[0];
  EXPECT_EQ(first.index, 0u);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first.response->content.size(), 2u);
  const auto& call = std::get<ToolUseBlock>(first.response->content[1]);
  EXPECT_EQ(call.name, "report_findings");
  EXPECT_EQ(call.id, "toolu_bdrk_01");
  EXPECT_EQ(call.input["complianceStatus"], "non-compliant");
  EXPECT_EQ(first.response->stop_reason, StopReason::kToolUse);
  EXPECT_EQ(first.response->usage.input_tokens, 412);
  EXPECT_EQ(first.response->usage.output_tokens, 57);

  const BatchRecordResult& failed = out.records[1];
  EXPECT_EQ(failed.index, 1u);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.error_code, "400");
  EXPECT_EQ(failed.error_message, "messages: text content blocks must be non-empty");

  EXPECT_EQ(out.records[2].response->stop_reason, StopReason::kStopSequence);
  EXPECT_EQ(response_text(*out.records[2].response), "done");
}

TEST(BatchRecords, NovaOutputKeepsToolNamesStopReasonsUsageAndRecordErrors) {
  const BatchOutput out = parse_output_file(read_fixture("bedrock/batch_output_nova.jsonl.out"),
                                            BatchModelFamily::kNova);
  EXPECT_TRUE(out.bad_lines.empty());
  ASSERT_EQ(out.records.size(), 3u);
  const auto& call = std::get<ToolUseBlock>(out.records[0].response->content[1]);
  EXPECT_EQ(call.name, "report_findings");
  EXPECT_EQ(call.id, "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q");
  EXPECT_EQ(out.records[0].response->stop_reason, StopReason::kToolUse);
  EXPECT_EQ(out.records[0].response->usage.input_tokens, 420);
  EXPECT_EQ(out.records[0].response->usage.output_tokens, 38);
  EXPECT_EQ(out.records[1].response->stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(out.records[2].index, 2u);
  EXPECT_EQ(out.records[2].error_code, "429");
  EXPECT_EQ(out.records[2].error_message, "Too many tokens");
}

TEST(BatchRecords, BadLinesAndUnreadableOutputsAreReportedNotFatal) {
  const std::string text =
      "not json\n"
      "\n"
      "{\"modelOutput\":{}}\r\n"
      "{\"recordId\":\"REC00000003\",\"modelOutput\":{\"output\":7}}\n"
      "{\"recordId\":\"REC00000004\"}\n"
      "{\"recordId\":\"REC00000005\",\"error\":{\"errorCode\":\"ModelTimeout\"}}";
  const BatchOutput out = parse_output_file(text, BatchModelFamily::kNova);
  ASSERT_EQ(out.bad_lines.size(), 2u);
  EXPECT_EQ(out.bad_lines[0].rfind("line 1:", 0), 0u);
  EXPECT_EQ(out.bad_lines[1].rfind("line 3:", 0), 0u);
  ASSERT_EQ(out.records.size(), 3u);
  EXPECT_EQ(out.records[0].error_code, "malformed_output");
  EXPECT_EQ(out.records[0].index, 3u);
  EXPECT_EQ(out.records[1].error_code, "malformed_output");
  EXPECT_EQ(out.records[2].error_code, "ModelTimeout");
  EXPECT_FALSE(out.records[2].error_message.empty());
}

TEST(BatchRecords, ManifestCountsAreRead) {
  auto m = parse_manifest(read_fixture("bedrock/batch_manifest.json.out"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->total_records, 100);
  EXPECT_EQ(m->processed_records, 100);
  EXPECT_EQ(m->success_records, 99);
  EXPECT_EQ(m->error_records, 1);
  EXPECT_EQ(m->input_tokens, 5210);
  EXPECT_EQ(m->output_tokens, 730);
  EXPECT_FALSE(parse_manifest("[1]").ok());
  EXPECT_EQ(parse_manifest("{}")->total_records, 0);
}

}  // namespace
}  // namespace osprey::providers::bedrock
