#include "fakes/scripted_answer.h"

namespace osprey::fakes {

namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

nlohmann::json value_for(const nlohmann::json& prop) {
  if (!prop.is_object()) return "test";
  if (auto e = prop.find("enum"); e != prop.end() && e->is_array() && !e->empty()) {
    return e->front();
  }
  std::string type = "string";
  if (auto t = prop.find("type"); t != prop.end()) {
    if (t->is_string()) type = t->get<std::string>();
    // ["string", "null"]: the first non-null type.
    if (t->is_array()) {
      for (const auto& one : *t) {
        if (one.is_string() && one != "null") {
          type = one.get<std::string>();
          break;
        }
      }
    }
  }
  if (type == "number" || type == "integer") return 1;
  if (type == "boolean") return true;
  if (type == "array") return nlohmann::json::array();
  if (type == "object") return arguments_from_schema(prop);
  return "test";
}

}  // namespace

int count_words(std::string_view text) {
  int words = 0;
  bool in_word = false;
  for (const char c : text) {
    if (is_space(c)) {
      in_word = false;
    } else if (!in_word) {
      in_word = true;
      ++words;
    }
  }
  return words;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ') {
      pieces.emplace_back(text.substr(start, i + 1 - start));
      start = i + 1;
    }
  }
  if (start < text.size()) pieces.emplace_back(text.substr(start));
  return pieces;
}

nlohmann::json arguments_from_schema(const nlohmann::json& schema) {
  nlohmann::json args = nlohmann::json::object();
  if (!schema.is_object()) return args;
  const auto props = schema.find("properties");
  const auto required = schema.find("required");
  if (required == schema.end() || !required->is_array()) return args;
  for (const auto& name : *required) {
    if (!name.is_string()) continue;
    const std::string key = name.get<std::string>();
    nlohmann::json prop;
    if (props != schema.end() && props->is_object() && props->contains(key)) prop = (*props)[key];
    args[key] = value_for(prop);
  }
  return args;
}

ScriptedAnswer plan_answer(const ChatTurn& turn) {
  ScriptedAnswer a;
  a.input_tokens = turn.input_words;
  if (turn.first_tool && !turn.last_is_tool_result) {
    a.kind = ScriptedAnswer::Kind::kToolCall;
    a.tool_name = turn.first_tool->name;
    a.arguments = arguments_from_schema(turn.first_tool->schema);
    a.output_tokens = 1 + static_cast<int>(a.arguments.size());
    return a;
  }
  a.text = turn.last_is_tool_result ? "tool result: " + turn.tool_result_text
                                    : "echo: " + turn.last_user_text;
  a.output_tokens = count_words(a.text);
  a.pieces = split_words(a.text);
  return a;
}

osprey::Result<std::vector<ScriptRule>> parse_script(const nlohmann::json& script) {
  auto bad = [](std::size_t i, const std::string& what) {
    return osprey::make_error(osprey::ErrorCode::kInvalidRequest,
                              "script[" + std::to_string(i) + "]" + what);
  };
  if (!script.is_array()) {
    return osprey::make_error(osprey::ErrorCode::kInvalidRequest, "script: must be an array");
  }
  std::vector<ScriptRule> rules;
  for (std::size_t i = 0; i < script.size(); ++i) {
    const nlohmann::json& r = script[i];
    if (!r.is_object()) return bad(i, ": must be an object");
    if (!r.contains("when") || !r["when"].is_string() || r["when"].get<std::string>().empty()) {
      return bad(i, ".when: must be a non-empty string");
    }
    ScriptRule rule;
    rule.when = r["when"].get<std::string>();
    if (r.contains("tool_arguments")) {
      if (!r["tool_arguments"].is_object()) return bad(i, ".tool_arguments: must be an object");
      rule.tool_arguments = r["tool_arguments"];
    } else if (r.contains("text") && r["text"].is_string()) {
      rule.text = r["text"].get<std::string>();
    } else {
      return bad(i, ": needs tool_arguments (object) or text (string)");
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

ScriptedAnswer plan_answer(const ChatTurn& turn, const std::vector<ScriptRule>& script) {
  for (const ScriptRule& rule : script) {
    if (turn.last_user_text.find(rule.when) == std::string::npos) continue;
    ScriptedAnswer a;
    a.input_tokens = turn.input_words;
    if (rule.tool_arguments && turn.first_tool) {
      a.kind = ScriptedAnswer::Kind::kToolCall;
      a.tool_name = turn.first_tool->name;
      a.arguments = *rule.tool_arguments;
      a.output_tokens = 1 + static_cast<int>(a.arguments.size());
      return a;
    }
    a.text = rule.tool_arguments ? rule.tool_arguments->dump() : rule.text;
    a.output_tokens = count_words(a.text);
    a.pieces = split_words(a.text);
    return a;
  }
  return plan_answer(turn);
}

}  // namespace osprey::fakes
