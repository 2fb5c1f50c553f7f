// Batch input checks: every bad line is refused at creation with its line number, and a good
// file becomes lines keyed by custom_id with the batch's one model.
#include "batch/batch_input.h"

#include <gtest/gtest.h>

#include "support/json_mutator.h"

namespace osprey::batch {
namespace {

std::string input_line(const std::string& id, const std::string& body) {
  return R"({"custom_id":")" + id + R"(","method":"POST","url":"/v1/chat/completions","body":)" +
         body + "}";
}

const std::string kBody = R"({"model":"gpt","messages":[{"role":"user","content":"hi"}]})";

void expect_refused(const std::string& text, const std::string& message,
                    const BatchInputRules& rules = {}) {
  auto input = parse_batch_jsonl(text, rules);
  ASSERT_FALSE(input.ok()) << text;
  EXPECT_EQ(input.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(input.error().message.find(message), std::string::npos) << input.error().message;
}

TEST(BatchInputTest, ReadsLinesKeyedByCustomIdWithTheirLineNumbers) {
  const std::string text = input_line("a", kBody) + "\n\n" + input_line("b", kBody) + "\r\n";
  auto input = parse_batch_jsonl(text, {});
  ASSERT_TRUE(input.ok()) << input.error().message;
  EXPECT_EQ(input->model, "gpt");
  ASSERT_EQ(input->lines.size(), 2u);
  EXPECT_EQ(input->lines[0].custom_id, "a");
  EXPECT_EQ(input->lines[0].line, 1u);
  EXPECT_EQ(input->lines[1].custom_id, "b");
  EXPECT_EQ(input->lines[1].line, 3u);  // the blank line counts
  EXPECT_EQ(input->lines[1].body["messages"][0]["content"], "hi");
}

TEST(BatchInputTest, BatchModelFillsLinesWithoutOne) {
  BatchInputRules rules;
  rules.model = "gpt";
  auto input =
      parse_batch_jsonl(input_line("a", R"({"messages":[{"role":"user","content":"x"}]})"), rules);
  ASSERT_TRUE(input.ok()) << input.error().message;
  EXPECT_EQ(input->lines[0].body["model"], "gpt");
}

TEST(BatchInputTest, BadLinesAreNamed) {
  const std::string good = input_line("a", kBody) + "\n";
  expect_refused(good + "{not json\n", "line 2: not valid JSON");
  expect_refused(good + input_line("a", kBody),
                 "line 2: custom_id: \"a\" is used by an earlier line");
  expect_refused(good + R"({"method":"POST","url":"/v1/chat/completions","body":{}})",
                 "line 2: custom_id");
  expect_refused(R"({"custom_id":"x","method":"GET","url":"/v1/chat/completions","body":{}})",
                 "line 1: method");
  expect_refused(R"({"custom_id":"x","method":"POST","url":"/v1/embeddings","body":{}})",
                 "line 1: url");
  expect_refused(R"({"custom_id":"x","method":"POST","url":"/v1/chat/completions","body":[]})",
                 "line 1: body: must be a JSON object");
  expect_refused(good + input_line("b", R"({"model":"other","messages":[]})"),
                 "line 2: body.model: \"other\" differs");
  expect_refused(input_line("a", R"({"messages":[{"role":"user","content":"x"}]})"),
                 "line 1: body.model: required");
  expect_refused(input_line("a", R"({"model":"gpt","messages":"nope"})"), "line 1: body:");
  expect_refused(
      input_line("a",
                 R"({"model":"gpt","stream":true,"messages":[{"role":"user","content":"x"}]})"),
      "line 1: body.stream");
  expect_refused(good + R"({"custom_id":"b","extra":1})", "line 2: extra: unknown field");
  expect_refused("\n\n", "the batch has no requests");
}

TEST(BatchInputTest, TooManyLinesAndBodyChecksAreRefused) {
  BatchInputRules rules;
  rules.max_lines = 1;
  expect_refused(input_line("a", kBody) + "\n" + input_line("b", kBody),
                 "line 2: more than 1 requests", rules);
  BatchInputRules checked;
  checked.check_body = [](const nlohmann::json& body) -> Status {
    if (body.dump().find("secret") != std::string::npos) {
      return make_error(ErrorCode::kContentDenied, "denied by rule");
    }
    return {};
  };
  expect_refused(
      input_line("a", kBody) + "\n" +
          input_line("b", R"({"model":"gpt","messages":[{"role":"user","content":"secret"}]})"),
      "line 2: body: denied by rule", checked);
}

TEST(BatchInputTest, InlineItemsFollowTheSameRules) {
  nlohmann::json items = nlohmann::json::array();
  items.push_back(nlohmann::json::parse(input_line("a", kBody)));
  items.push_back(nlohmann::json::parse(input_line("a", kBody)));
  auto input = parse_batch_items(items, {});
  ASSERT_FALSE(input.ok());
  EXPECT_NE(input.error().message.find("line 2: custom_id"), std::string::npos);
  EXPECT_FALSE(parse_batch_items(nlohmann::json::object(), {}).ok());
}

// Inline items of any wrong shape (a value of another type, a field missing or repeated) are
// refused with an error naming the line, never by an exception.
TEST(BatchInputTest, EveryWrongShapeIsAnErrorNotAnException) {
  nlohmann::json items = nlohmann::json::array();
  items.push_back(nlohmann::json::parse(input_line("a", kBody)));
  items.push_back(nlohmann::json::parse(
      input_line("b", R"({"model":"gpt","messages":[{"role":"system","content":"s"},)"
                      R"({"role":"user","content":[{"type":"text","text":"x"}]}],)"
                      R"("max_tokens":5,"temperature":0.5})")));
  ASSERT_TRUE(parse_batch_items(items, {}).ok());
  int refused = 0;
  osprey::testing::for_each_json_mutation(items, 29, 2000, [&](const nlohmann::json& mutated) {
    Result<BatchInput> input = Error{ErrorCode::kInternal, "not parsed"};
    EXPECT_NO_THROW(input = parse_batch_items(mutated, {})) << mutated.dump();
    EXPECT_NO_THROW((void)parse_batch_jsonl(mutated.is_array() && !mutated.empty()
                                                ? mutated[0].dump() + "\n" + mutated.back().dump()
                                                : mutated.dump(),
                                            {}))
        << mutated.dump();
    if (!input.ok()) {
      ++refused;
      EXPECT_EQ(input.error().code, ErrorCode::kInvalidRequest) << mutated.dump();
    }
  });
  EXPECT_GT(refused, 1000);
}

}  // namespace
}  // namespace osprey::batch
