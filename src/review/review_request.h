#pragma once
// build_request_line: one ReviewTask as an OpenAI batch input line
//   {"custom_id", "method":"POST", "url":"/v1/chat/completions", "body":{chat request}}
// whose body gives the model the rules, the file with line numbers and its context files, and
// asks for the answer through a forced call of the `report_findings` tool (input schema:
// {complianceStatus: compliant|non_compliant|not_applicable, findings:[{rule, file, line,
// snippet, description, suggestion}]}), with temperature 0. Provider-neutral: the batch workload
// (any mode) translates the body for the provider. Pure apart from the FileReader calls.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "review/repository.h"
#include "review/review_plan.h"
#include "review/rule_set.h"

namespace osprey::review {

inline constexpr std::string_view kReportTool = "report_findings";

struct RequestOptions {
  std::string model;
  int max_tokens = 4096;
};

// The tool's input schema; `rule` is limited to `rule_ids`.
nlohmann::json report_tool_schema(const std::vector<std::string>& rule_ids);

// `content` with "<n> | " before each line (n right-aligned), as the model sees it.
std::string with_line_numbers(std::string_view content);

// A Markdown code fence longer than any run of backticks in `content`.
std::string fence_for(std::string_view content);

// Invalid UTF-8 sequences replaced by U+FFFD, so the text can always go into JSON.
std::string valid_utf8(std::string_view text);

// The batch line, or a per-file issue (binary_file, unreadable_file) when the file cannot be sent.
Result<nlohmann::json, ReviewIssue> build_request_line(const ReviewTask& task, const RuleSet& rules,
                                                       const FileReader& read,
                                                       const RequestOptions& options);

}  // namespace osprey::review
