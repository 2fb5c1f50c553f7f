#pragma once
// plan_review: which rules apply to which files of a repository, as the list of model requests
// to make: one ReviewTask per (file, rule group), where a group is the applicable rules of one
// category that share the same context files, at most `max_rules_per_request` of them.
//   - a language is present when some file matches its defaultPatterns;
//   - a category applies when one of its languages is present and every `exists` glob matches
//     some file;
//   - a rule applies to a file when its category applies, its language is present, and the file
//     matches its include globs and not its exclude globs, each taken from the first level that
//     sets them: the rule (`patterns` / `excludePatterns`), the category, the language;
//   - its context files are the other files matching its `contextPatterns`.
// Files over `max_file_bytes` become per-file issues instead of requests. Pure; deterministic
// (files in path order, rules in file order).
#include <cstdint>
#include <string>
#include <vector>

#include "review/repository.h"
#include "review/rule_set.h"

namespace osprey::review {

struct PlanOptions {
  std::uint64_t max_file_bytes = 256 * 1024;     // larger files are per-file issues
  std::size_t max_rules_per_request = 10;        // a larger group is split
  std::size_t max_context_files = 10;            // per request, in path order
  std::uint64_t max_context_bytes = 512 * 1024;  // per request; context beyond is left out
};

struct ReviewTask {
  std::string custom_id;  // unique in the plan: "review-000001", ...
  std::string file;
  std::string category;
  std::vector<std::string> rule_ids;
  std::vector<std::string> context_files;
  std::vector<std::string> omitted_context;  // matched, but over the size limits
};

// A file (or one request of it) that could not be reviewed; reported, never fatal.
struct ReviewIssue {
  std::string file;
  std::vector<std::string> rule_ids;
  std::string custom_id;  // empty when no request was made
  std::string code;       // stable: file_too_large, binary_file, unreadable_file,
                          // upstream_error, no_tool_call, invalid_answer, missing_result
  std::string message;
};

// The issue of one planned request (its file, rules and custom_id).
ReviewIssue task_issue(const ReviewTask& task, std::string code, std::string message);

struct ReviewPlan {
  std::vector<std::string> languages;   // present in the repository
  std::vector<std::string> categories;  // that apply
  std::vector<ReviewTask> tasks;
  std::vector<ReviewIssue> issues;  // files skipped before any request
  std::size_t files_in_repository = 0;
  std::size_t files_to_review = 0;  // files at least one rule applies to
};

ReviewPlan plan_review(const RuleSet& rules, const std::vector<RepoFile>& files,
                       const PlanOptions& options);

}  // namespace osprey::review
