#include "review/review_request.h"

#include <algorithm>

#include "core/utf8.h"

namespace osprey::review {
namespace {

using nlohmann::json;

constexpr std::string_view kSystemPrompt =
    "You are a meticulous code reviewer. You check one source file against a numbered list of "
    "rules and report each violation you can point to in that file. Context files are given "
    "only to help you understand the file under review; never report findings in them. Answer "
    "only by calling the report_findings tool.";

std::string fenced(std::string_view content) {
  const std::string fence = fence_for(content);
  std::string out = fence + "\n" + std::string(content);
  if (!out.ends_with('\n')) out += '\n';
  return out + fence + "\n";
}

std::string user_prompt(const ReviewTask& task, const RuleSet& rules, std::string_view content,
                        const std::vector<std::pair<std::string, std::string>>& context) {
  std::string text = "Review the file `" + task.file + "` against these rules (category " +
                     task.category + "):\n\n";
  for (const std::string& id : task.rule_ids) {
    const Rule* rule = rules.rule(id);
    text += "- " + id + ": " + (rule != nullptr ? rule->description : std::string()) + "\n";
  }
  text +=
      "\nFor each violation give the rule id, the file path, the line number shown at the left of "
      "the line, a short snippet copied from that line, what is wrong and how to fix it. "
      "complianceStatus is \"non_compliant\" when there is at least one finding, \"compliant\" "
      "when the file follows every rule, \"not_applicable\" when none of the rules concern this "
      "file.\n\nFile: " +
      task.file + "\n" + fenced(with_line_numbers(content));
  if (!context.empty() || !task.omitted_context.empty()) {
    text += "\nContext files (for reference only; do not report findings in them):\n";
  }
  for (const auto& [path, body] : context) text += "\nFile: " + path + "\n" + fenced(body);
  if (!task.omitted_context.empty()) {
    text += "\nOther context files left out for size:";
    for (const std::string& path : task.omitted_context) text += " " + path;
    text += "\n";
  }
  return text;
}

}  // namespace

json report_tool_schema(const std::vector<std::string>& rule_ids) {
  const json string_type = {{"type", "string"}};
  return {{"type", "object"},
          {"properties",
           {{"complianceStatus",
             {{"type", "string"}, {"enum", {"compliant", "non_compliant", "not_applicable"}}}},
            {"findings",
             {{"type", "array"},
              {"items",
               {{"type", "object"},
                {"properties",
                 {{"rule", {{"type", "string"}, {"enum", rule_ids}}},
                  {"file", string_type},
                  {"line", {{"type", "integer"}, {"minimum", 1}}},
                  {"snippet", string_type},
                  {"description", string_type},
                  {"suggestion", string_type}}},
                {"required", {"rule", "file", "snippet", "description", "suggestion"}}}}}}}},
          {"required", {"complianceStatus", "findings"}}};
}

std::string fence_for(std::string_view content) {
  std::size_t longest = 0, run = 0;
  for (const char c : content) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<std::size_t>(3, longest + 1), '`');
}

std::string with_line_numbers(std::string_view content) {
  std::size_t lines = static_cast<std::size_t>(std::count(content.begin(), content.end(), '\n'));
  if (!content.empty() && !content.ends_with('\n')) ++lines;
  const std::size_t width = std::to_string(std::max<std::size_t>(lines, 1)).size();
  std::string out;
  out.reserve(content.size() + lines * (width + 3));
  std::size_t n = 0, start = 0;
  while (start < content.size()) {
    std::size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    const std::string number = std::to_string(++n);
    out.append(width - number.size(), ' ');
    out += number;
    out += " | ";
    out.append(content.substr(start, end - start));
    out += '\n';
    start = end + 1;
  }
  return out;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      out += text[i++];
      continue;
    }
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

Result<json, ReviewIssue> build_request_line(const ReviewTask& task, const RuleSet& rules,
                                             const FileReader& read,
                                             const RequestOptions& options) {
  auto content = read(task.file);
  if (!content) return task_issue(task, "unreadable_file", content.error().message);
  if (content->find('\0') != std::string::npos) {
    return task_issue(task, "binary_file", "the file contains NUL bytes; only text is reviewed");
  }
  std::vector<std::pair<std::string, std::string>> context;
  for (const std::string& path : task.context_files) {
    auto body = read(path);
    // An unreadable or binary context file is left out; the review itself can still run.
    if (!body || body->find('\0') != std::string::npos) continue;
    context.emplace_back(path, valid_utf8(*body));
  }
  const std::string tool(kReportTool);
  json body = {
      {"model", options.model},
      {"temperature", 0},
      {"max_tokens", options.max_tokens},
      {"messages",
       {{{"role", "system"}, {"content", kSystemPrompt}},
        {{"role", "user"}, {"content", user_prompt(task, rules, valid_utf8(*content), context)}}}},
      {"tools",
       {{{"type", "function"},
         {"function",
          {{"name", tool},
           {"description",
            "Report the review result for the file: its compliance status and "
            "every finding."},
           {"parameters", report_tool_schema(task.rule_ids)}}}}}},
      {"tool_choice", {{"type", "function"}, {"function", {{"name", tool}}}}},
  };
  return json{{"custom_id", task.custom_id},
              {"method", "POST"},
              {"url", "/v1/chat/completions"},
              {"body", std::move(body)}};
}

}  // namespace osprey::review
