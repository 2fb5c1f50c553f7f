#include "review/review_report.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/durable_file.h"
#include "review/review_request.h"

namespace osprey::review {
namespace {

using nlohmann::json;

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// A Markdown table cell: no line breaks, pipes escaped.
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n' || c == '\r') {
      out += ' ';
    } else if (c == '|') {
      out += "\\|";
    } else {
      out += c;
    }
  }
  return out;
}

std::string location(const Finding& f) {
  return f.line > 0 ? f.file + ":" + std::to_string(f.line) : f.file;
}

json issue_json(const ReviewIssue& issue) {
  return {{"file", issue.file},
          {"rules", issue.rule_ids},
          {"custom_id", issue.custom_id},
          {"code", issue.code},
          {"message", issue.message}};
}

}  // namespace

ReviewReport assemble_report(const ReviewPlan& plan, const std::vector<ReviewIssue>& unsent,
                             const std::map<std::string, json>& output_by_custom_id,
                             const FileReader& read) {
  ReviewReport report;
  report.languages = plan.languages;
  report.categories = plan.categories;
  report.files_in_repository = plan.files_in_repository;
  report.files_to_review = plan.files_to_review;
  report.issues = plan.issues;
  std::map<std::string, const ReviewIssue*> unsent_by_id;
  for (const ReviewIssue& issue : unsent) unsent_by_id[issue.custom_id] = &issue;
  std::map<std::string, std::string> contents;  // files read to place snippets
  for (const ReviewTask& task : plan.tasks) {
    TaskVerdict verdict{.task = task, .status = "error", .findings = 0};
    if (auto u = unsent_by_id.find(task.custom_id); u != unsent_by_id.end()) {
      report.issues.push_back(*u->second);
      report.verdicts.push_back(std::move(verdict));
      continue;
    }
    auto out = output_by_custom_id.find(task.custom_id);
    if (out == output_by_custom_id.end()) {
      report.issues.push_back(
          task_issue(task, "missing_result", "the batch returned no result for this request"));
      report.verdicts.push_back(std::move(verdict));
      continue;
    }
    auto answer = parse_answer(out->second, task);
    if (!answer) {
      report.issues.push_back(answer.error());
      report.verdicts.push_back(std::move(verdict));
      continue;
    }
    verdict.status = answer->status;
    verdict.findings = answer->findings.size();
    for (Finding& f : answer->findings) {
      if (f.line == 0 && !f.snippet.empty() && read) {
        auto [it, fresh] = contents.try_emplace(f.file);
        if (fresh) {
          auto text = read(f.file);
          if (text) it->second = std::move(text.value());
        }
        f.line = locate_snippet(it->second, f.snippet);
      }
      report.findings.push_back(std::move(f));
    }
    report.verdicts.push_back(std::move(verdict));
  }
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& a, const Finding& b) {
                     return std::tie(a.file, a.line, a.rule) < std::tie(b.file, b.line, b.rule);
                   });
  std::stable_sort(report.issues.begin(), report.issues.end(),
                   [](const ReviewIssue& a, const ReviewIssue& b) {
                     return std::tie(a.file, a.custom_id) < std::tie(b.file, b.custom_id);
                   });
  return report;
}

json findings_json(const ReviewReport& report) {
  std::map<std::string, std::int64_t> by_status = {
      {"compliant", 0}, {"non_compliant", 0}, {"not_applicable", 0}, {"error", 0}};
  for (const TaskVerdict& v : report.verdicts) ++by_status[v.status];
  std::map<std::string, std::int64_t> by_rule, by_code;
  for (const Finding& f : report.findings) ++by_rule[f.rule];
  for (const ReviewIssue& i : report.issues) ++by_code[i.code];
  std::set<std::string> files_with_errors;
  for (const ReviewIssue& i : report.issues) files_with_errors.insert(i.file);
  json findings = json::array();
  for (const Finding& f : report.findings) {
    findings.push_back({{"rule", f.rule},
                        {"category", f.category},
                        {"file", f.file},
                        {"line", f.line > 0 ? json(f.line) : json()},
                        {"snippet", f.snippet},
                        {"description", f.description},
                        {"suggestion", f.suggestion}});
  }
  json errors = json::array();
  for (const ReviewIssue& i : report.issues) errors.push_back(issue_json(i));
  json results = json::array();
  for (const TaskVerdict& v : report.verdicts) {
    results.push_back({{"custom_id", v.task.custom_id},
                       {"file", v.task.file},
                       {"category", v.task.category},
                       {"rules", v.task.rule_ids},
                       {"context_files", v.task.context_files},
                       {"status", v.status},
                       {"findings", v.findings}});
  }
  return {{"schema", kFindingsSchema},
          {"meta", report.meta},
          {"summary",
           {{"files_in_repository", report.files_in_repository},
            {"files_to_review", report.files_to_review},
            {"files_with_errors", files_with_errors.size()},
            {"requests", report.verdicts.size()},
            {"compliant", by_status["compliant"]},
            {"non_compliant", by_status["non_compliant"]},
            {"not_applicable", by_status["not_applicable"]},
            {"failed_requests", by_status["error"]},
            {"findings", report.findings.size()},
            {"errors", report.issues.size()},
            {"findings_by_rule", by_rule},
            {"errors_by_code", by_code},
            {"languages", report.languages},
            {"categories", report.categories}}},
          {"findings", std::move(findings)},
          {"errors", std::move(errors)},
          {"results", std::move(results)}};
}

std::string report_markdown(const ReviewReport& report, const RuleSet& rules) {
  const json summary = findings_json(report)["summary"];
  std::string md = "# Code review report\n\n";
  if (report.meta.contains("model") && report.meta["model"].is_string()) {
    md += "Model: `" + report.meta["model"].get<std::string>() + "`. ";
  }
  md += std::to_string(report.files_to_review) + " of " +
        std::to_string(report.files_in_repository) + " files matched rules; " +
        std::to_string(report.verdicts.size()) + " requests; " +
        std::to_string(report.findings.size()) + " findings; " +
        std::to_string(report.issues.size()) + " errors.\n\n";
  md += "Languages: " + (report.languages.empty() ? "none" : join(report.languages, ", ")) +
        ". Categories applied: " +
        (report.categories.empty() ? "none" : join(report.categories, ", ")) + ".\n\n";
  md += "| compliant | non-compliant | not applicable | failed |\n|---|---|---|---|\n";
  md += "| " + summary["compliant"].dump() + " | " + summary["non_compliant"].dump() + " | " +
        summary["not_applicable"].dump() + " | " + summary["failed_requests"].dump() + " |\n\n";

  md += "## Findings\n\n";
  if (report.findings.empty()) md += "None.\n\n";
  // By category, then rule, in the rules file's order.
  for (const Category& cat : rules.categories) {
    bool heading = false;
    for (const Rule& rule : rules.rules) {
      if (rule.category != cat.name) continue;
      std::vector<const Finding*> hits;
      for (const Finding& f : report.findings) {
        if (f.rule == rule.id) hits.push_back(&f);
      }
      if (hits.empty()) continue;
      if (!heading) md += "### " + cat.name + "\n\n";
      heading = true;
      md += "#### " + rule.id + " (" + std::to_string(hits.size()) + ")\n\n> " +
            cell(rule.description) + "\n\n";
      for (const Finding* f : hits) {
        md += "- **" + location(*f) + "**: " + cell(f->description) + "\n";
        if (!f->snippet.empty()) {
          const std::string fence = fence_for(f->snippet);
          std::string snippet = f->snippet;
          if (!snippet.ends_with('\n')) snippet += '\n';
          md += "\n  " + fence + "\n";
          for (std::size_t start = 0; start < snippet.size();) {
            const std::size_t end = snippet.find('\n', start);
            md += "  " + snippet.substr(start, end - start) + "\n";
            start = end + 1;
          }
          md += "  " + fence + "\n\n";
        }
        if (!f->suggestion.empty()) md += "  Suggestion: " + cell(f->suggestion) + "\n\n";
      }
    }
  }

  md += "## Errors\n\n";
  if (report.issues.empty()) {
    md += "None.\n\n";
  } else {
    md += "| file | rules | code | message |\n|---|---|---|---|\n";
    for (const ReviewIssue& i : report.issues) {
      md += "| " + cell(i.file) + " | " + cell(join(i.rule_ids, ", ")) + " | " + i.code + " | " +
            cell(i.message) + " |\n";
    }
    md += "\n";
  }

  md += "## Requests\n\n| file | category | rules | status | findings |\n|---|---|---|---|---|\n";
  for (const TaskVerdict& v : report.verdicts) {
    md += "| " + cell(v.task.file) + " | " + cell(v.task.category) + " | " +
          cell(join(v.task.rule_ids, ", ")) + " | " + v.status + " | " +
          std::to_string(v.findings) + " |\n";
  }
  return md;
}

Status write_review_report(const std::string& dir, const ReviewReport& report,
                           const RuleSet& rules) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::kInternal, "create " + dir + ": " + ec.message());
  const std::string findings =
      findings_json(report).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  if (Status st = write_file_atomically(dir, kFindingsFile, findings); !st.ok()) return st;
  return write_file_atomically(dir, kReportFile, report_markdown(report, rules));
}

}  // namespace osprey::review
