#pragma once
// parse_answer: one batch output line for a ReviewTask, turned into the model's verdict.
//   {"custom_id", "response":{"status_code","body":{chat.completion}}, "error"}
// The answer is the arguments of the `report_findings` tool call. Only when there is no such
// call is a text answer accepted, and only if it is unambiguous: the whole text is one JSON
// object, or it holds exactly one fenced block that is. Anything else — an upstream error, no
// tool call, arguments that are not JSON or do not fit the schema, a finding for a rule that was
// not asked — is a per-file ReviewIssue, never an exception. Pure.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "review/review_plan.h"
#include "review/review_request.h"

namespace osprey::review {

struct Finding {
  std::string rule;
  std::string category;
  std::string file;
  int line = 0;  // 1-based; 0 when neither the model nor the snippet tells
  std::string snippet;
  std::string description;
  std::string suggestion;
};

struct TaskAnswer {
  std::string status;  // compliant | non_compliant | not_applicable
  std::vector<Finding> findings;
};

Result<TaskAnswer, ReviewIssue> parse_answer(const nlohmann::json& output_line,
                                             const ReviewTask& task);

// The tool input checked against the schema (report_tool_schema); the error names the field.
Result<TaskAnswer, std::string> parse_report_arguments(const nlohmann::json& arguments,
                                                       const ReviewTask& task);

// The 1-based line of `content` holding the snippet's first non-blank line (trimmed), 0 if none.
int locate_snippet(std::string_view content, std::string_view snippet);

}  // namespace osprey::review
