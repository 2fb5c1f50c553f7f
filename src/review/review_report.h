#pragma once
// ReviewReport: the outcome of a review — every request's verdict, the findings and the
// per-file issues — and its two renderings: findings.json (stable schema
// "osprey.review.findings/v1", for tools) and report.md (for people: findings by category and
// rule with file:line and snippet, then the errors). write_review_report writes both durably.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "review/repository.h"
#include "review/review_answer.h"
#include "review/review_plan.h"
#include "review/rule_set.h"

namespace osprey::review {

inline constexpr std::string_view kFindingsSchema = "osprey.review.findings/v1";
inline constexpr std::string_view kFindingsFile = "findings.json";
inline constexpr std::string_view kReportFile = "report.md";

struct TaskVerdict {
  ReviewTask task;
  std::string status;  // compliant | non_compliant | not_applicable | error
  std::size_t findings = 0;
};

struct ReviewReport {
  nlohmann::json meta = nlohmann::json::object();  // e.g. model, batch id, mode
  std::vector<std::string> languages;
  std::vector<std::string> categories;
  std::size_t files_in_repository = 0;
  std::size_t files_to_review = 0;
  std::vector<TaskVerdict> verdicts;  // one per planned request, in plan order
  std::vector<Finding> findings;      // ordered by file, line, rule
  std::vector<ReviewIssue> issues;    // ordered by file, then request
};

// Joins the plan with the batch output lines (by custom_id). `unsent` are the requests that
// were never submitted (build_request_line issues); a submitted request without an output line
// is a `missing_result` issue. Findings without a line number get one from their snippet when
// `read` can read the file (it may be empty).
ReviewReport assemble_report(const ReviewPlan& plan, const std::vector<ReviewIssue>& unsent,
                             const std::map<std::string, nlohmann::json>& output_by_custom_id,
                             const FileReader& read);

nlohmann::json findings_json(const ReviewReport& report);
std::string report_markdown(const ReviewReport& report, const RuleSet& rules);

// Creates `dir` if needed and writes findings.json then report.md, each via a temporary file,
// fsync and rename.
Status write_review_report(const std::string& dir, const ReviewReport& report,
                           const RuleSet& rules);

}  // namespace osprey::review
