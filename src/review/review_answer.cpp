#include "review/review_answer.h"

#include <algorithm>

#include "core/json_parse.h"

namespace osprey::review {
namespace {

using nlohmann::json;

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::string clip(std::string_view s, std::size_t n = 200) {
  return s.size() <= n ? std::string(s) : std::string(s.substr(0, n)) + "...";
}

// The text of a message's content: a string, or the text parts of an array.
std::string content_text(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (!content.is_array()) return out;
  for (const json& part : content) {
    if (part.is_object() && part.value("type", "") == "text" && part.contains("text") &&
        part["text"].is_string()) {
      out += part["text"].get<std::string>();
    }
  }
  return out;
}

// The JSON object a text answer unambiguously holds, or null.
json object_in_text(std::string_view text) {
  text = trim(text);
  json whole = parse_json(text);
  if (whole.is_object()) return whole;
  std::vector<json> blocks;
  std::size_t pos = 0;
  while ((pos = text.find("```", pos)) != std::string_view::npos) {
    const std::size_t body = text.find('\n', pos);
    if (body == std::string_view::npos) break;
    const std::size_t close = text.find("```", body);
    if (close == std::string_view::npos) break;
    json block = parse_json(text.substr(body + 1, close - body - 1));
    if (block.is_object()) blocks.push_back(std::move(block));
    pos = close + 3;
  }
  return blocks.size() == 1 ? blocks.front() : json();
}

std::string upstream_message(const json& body, int status) {
  std::string message = "HTTP " + std::to_string(status);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const json& e = body["error"];
    if (e.contains("message") && e["message"].is_string()) {
      message += ": " + e["message"].get<std::string>();
    }
  }
  return message;
}

std::string optional_string(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

int locate_snippet(std::string_view content, std::string_view snippet) {
  std::string_view needle;
  for (std::size_t start = 0; start <= snippet.size();) {
    std::size_t end = snippet.find('\n', start);
    if (end == std::string_view::npos) end = snippet.size();
    needle = trim(snippet.substr(start, end - start));
    if (!needle.empty()) break;
    start = end + 1;
  }
  if (needle.empty()) return 0;
  int line = 1;
  for (std::size_t start = 0; start < content.size(); ++line) {
    std::size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    if (content.substr(start, end - start).find(needle) != std::string_view::npos) return line;
    start = end + 1;
  }
  return 0;
}

Result<TaskAnswer, std::string> parse_report_arguments(const json& args, const ReviewTask& task) {
  if (!args.is_object()) return std::string("the answer is not a JSON object");
  TaskAnswer answer;
  auto status = args.find("complianceStatus");
  if (status == args.end() || !status->is_string()) {
    return std::string("complianceStatus: missing or not a string");
  }
  answer.status = status->get<std::string>();
  if (answer.status != "compliant" && answer.status != "non_compliant" &&
      answer.status != "not_applicable") {
    return "complianceStatus: \"" + clip(answer.status, 40) +
           "\" is not compliant, non_compliant or not_applicable";
  }
  auto findings = args.find("findings");
  if (findings == args.end() || findings->is_null()) {
    if (answer.status == "non_compliant") return std::string("findings: missing");
    return answer;
  }
  if (!findings->is_array()) return std::string("findings: not an array");
  for (std::size_t i = 0; i < findings->size(); ++i) {
    const json& f = (*findings)[i];
    const std::string at = "findings[" + std::to_string(i) + "]";
    if (!f.is_object()) return at + ": not an object";
    Finding finding;
    finding.rule = optional_string(f, "rule");
    if (std::find(task.rule_ids.begin(), task.rule_ids.end(), finding.rule) ==
        task.rule_ids.end()) {
      return at + ".rule: \"" + clip(finding.rule, 40) + "\" is not one of the rules asked";
    }
    finding.description = optional_string(f, "description");
    if (finding.description.empty()) return at + ".description: missing or empty";
    finding.category = task.category;
    finding.file = optional_string(f, "file");
    if (finding.file.empty()) finding.file = task.file;
    finding.snippet = optional_string(f, "snippet");
    finding.suggestion = optional_string(f, "suggestion");
    if (auto line = f.find("line"); line != f.end() && line->is_number_integer()) {
      finding.line = std::max(0, line->get<int>());
    }
    answer.findings.push_back(std::move(finding));
  }
  return answer;
}

Result<TaskAnswer, ReviewIssue> parse_answer(const json& line, const ReviewTask& task) {
  if (!line.is_object())
    return task_issue(task, "invalid_answer", "the output line is not an object");
  if (auto err = line.find("error"); err != line.end() && err->is_object()) {
    return task_issue(task, "upstream_error",
                      optional_string(*err, "code") + ": " + optional_string(*err, "message"));
  }
  auto response = line.find("response");
  if (response == line.end() || !response->is_object()) {
    return task_issue(task, "upstream_error", "the output line has no response");
  }
  const int status = response->value("status_code", 0);
  const json body = response->value("body", json());
  if (status < 200 || status >= 300) {
    return task_issue(task, "upstream_error", upstream_message(body, status));
  }
  const json* message = nullptr;
  if (body.is_object() && body.contains("choices") && body["choices"].is_array() &&
      !body["choices"].empty() && body["choices"][0].is_object() &&
      body["choices"][0].contains("message") && body["choices"][0]["message"].is_object()) {
    message = &body["choices"][0]["message"];
  }
  if (message == nullptr) return task_issue(task, "invalid_answer", "the response has no message");
  std::vector<const json*> calls;
  if (auto tc = message->find("tool_calls"); tc != message->end() && tc->is_array()) {
    for (const json& call : *tc) {
      if (call.is_object() && call.contains("function") && call["function"].is_object() &&
          call["function"].value("name", "") == kReportTool) {
        calls.push_back(&call["function"]);
      }
    }
  }
  if (calls.size() > 1) {
    return task_issue(task, "invalid_answer", "the model called report_findings more than once");
  }
  json args;
  if (calls.size() == 1) {
    const json& raw = calls[0]->value("arguments", json());
    args = raw.is_string() ? parse_json(raw.get<std::string>()) : raw;
    if (args.is_discarded() || !args.is_object()) {
      return task_issue(task, "invalid_answer",
                        "report_findings arguments are not a JSON object: " +
                            clip(raw.is_string() ? raw.get<std::string>() : raw.dump()));
    }
  } else {
    const std::string text =
        message->contains("content") ? content_text((*message)["content"]) : std::string();
    args = object_in_text(text);
    if (!args.is_object()) {
      return task_issue(task, "no_tool_call",
                        "the model did not call report_findings; it answered: " + clip(trim(text)));
    }
  }
  auto parsed = parse_report_arguments(args, task);
  if (!parsed) return task_issue(task, "invalid_answer", parsed.error());
  return std::move(parsed.value());
}

}  // namespace osprey::review
