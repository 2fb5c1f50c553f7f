#pragma once
// ScriptedAnswer: the deterministic, vendor-neutral decision of what a fake model answers.
// Each personality extracts a ChatTurn from its own wire format, asks plan_answer(), and
// renders the answer back in that format. Pure functions; thread-safe.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace osprey::fakes {

struct OfferedTool {
  std::string name;
  nlohmann::json schema;  // JSON Schema of the arguments (may be null)
};

// What a personality read from a chat request.
struct ChatTurn {
  std::string last_user_text;        // text of the last user message
  bool last_is_tool_result = false;  // the last message carries a tool result
  std::string tool_result_text;      // its content as text
  std::optional<OfferedTool> first_tool;
  int input_words = 0;  // words over every message and the system prompt
};

struct ScriptedAnswer {
  enum class Kind { kText, kToolCall } kind = Kind::kText;
  std::string text;          // kText
  std::string tool_name;     // kToolCall
  nlohmann::json arguments;  // kToolCall: an object
  int input_tokens = 0;
  int output_tokens = 0;
  std::vector<std::string> pieces;  // kText: text split for streaming; concatenation == text
};

// A scripted reply chosen by request content: the first rule whose `when` occurs in the last
// user message decides the answer. JSON: [{"when": "...", "tool_arguments": {...}} or
// {"when": "...", "text": "..."}]. `tool_arguments` calls the first offered tool with exactly
// these arguments (text of their JSON when no tool is offered); `text` answers with plain text.
struct ScriptRule {
  std::string when;
  std::optional<nlohmann::json> tool_arguments;
  std::string text;
};

// Errors name the bad element ("script[2].when: ...").
osprey::Result<std::vector<ScriptRule>> parse_script(const nlohmann::json& script);

// The first matching script rule's answer, else plan_answer(turn).
ScriptedAnswer plan_answer(const ChatTurn& turn, const std::vector<ScriptRule>& script);

// Tool offered and last message not a tool result: call the first tool. Last message a tool
// result: "tool result: <content>". Otherwise "echo: <last user text>". Usage = word counts
// (a tool call costs 1 + its number of arguments).
ScriptedAnswer plan_answer(const ChatTurn& turn);

// An arguments object satisfying the schema's required properties: string "test", number or
// integer 1, boolean true, array [], object {}; enum → its first value.
nlohmann::json arguments_from_schema(const nlohmann::json& schema);

int count_words(std::string_view text);

// Splits after each space, so concatenating the pieces gives `text` back.
std::vector<std::string> split_words(std::string_view text);

}  // namespace osprey::fakes
