#pragma once
// The normalized chat vocabulary of Osprey (Converse-like). Everything above providers/ speaks
// only these types; each vendor codec translates to and from its own wire JSON. Plain values:
// copyable, no shared state, safe to move between threads.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace osprey::providers {

enum class Role : std::uint8_t { kUser, kAssistant };

struct TextBlock {
  std::string text;
};

// Either `url` (a remote image the upstream fetches) or `data` (raw bytes, NOT base64) with
// `media_type` such as "image/png".
struct ImageBlock {
  std::string url;
  std::string media_type;
  std::string data;
  // OpenAI's "low" / "high" / "auto", which sets the image's token cost; empty when not given.
  std::string detail;
};

// `input` is the parsed JSON arguments; when a client sent arguments that are not valid JSON,
// `input` holds them as a JSON string so nothing is lost.
struct ToolUseBlock {
  std::string id;
  std::string name;
  nlohmann::json input = nlohmann::json::object();
};

struct ToolResultPart {
  enum class Kind : std::uint8_t { kText, kJson };
  Kind kind = Kind::kText;
  std::string text;
  nlohmann::json json;
};

struct ToolResultBlock {
  std::string tool_use_id;
  std::vector<ToolResultPart> content;
  bool is_error = false;
};

using ContentBlock = std::variant<TextBlock, ImageBlock, ToolUseBlock, ToolResultBlock>;

struct Message {
  Role role = Role::kUser;
  std::vector<ContentBlock> content;
};

struct ToolSpec {
  std::string name;
  std::string description;
  nlohmann::json input_schema = nlohmann::json::object();
};

struct ToolChoice {
  enum class Kind : std::uint8_t { kAuto, kNone, kRequired, kTool };
  Kind kind = Kind::kAuto;
  std::string name;  // set only for kTool
};

// Every field is optional: an unset field is omitted upstream so the vendor default applies,
// while an explicit 0 (e.g. temperature 0) is always sent.
struct InferenceConfig {
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::int64_t> max_tokens;
  std::vector<std::string> stop;
  std::optional<std::int64_t> seed;
};

struct ResponseFormat {
  enum class Kind : std::uint8_t { kText, kJsonObject, kJsonSchema };
  Kind kind = Kind::kText;
  std::string name;  // json_schema only
  nlohmann::json schema;
  bool strict = false;
};

struct ChatRequest {
  std::string model;
  std::vector<std::string> system;
  std::vector<Message> messages;
  std::vector<ToolSpec> tools;
  std::optional<ToolChoice> tool_choice;
  InferenceConfig inference;
  std::optional<ResponseFormat> response_format;
  std::string user;
  bool stream = false;
  bool include_usage = false;
  // Vendor knobs with no common meaning, e.g. {"num_ctx": 8192, "top_k": 40} for Ollama.
  nlohmann::json provider_options = nlohmann::json::object();
  // Unknown OpenAI request fields; forwarded only to OpenAI-compatible upstreams.
  nlohmann::json extra = nlohmann::json::object();
};

enum class StopReason : std::uint8_t {
  kEndTurn,
  kMaxTokens,
  kStopSequence,
  kToolUse,
  kContentFilter,
  kUnknown,
};

struct Usage {
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
};

struct ChatResponse {
  std::string id;
  std::string model;
  std::vector<ContentBlock> content;  // TextBlock and ToolUseBlock only
  StopReason stop_reason = StopReason::kUnknown;
  Usage usage;
  std::int64_t created = 0;  // unix seconds
};

// Streaming events. `index` is the content block position within the response message.
struct MessageStartEvent {
  std::string id;
  std::string model;
};
struct TextDeltaEvent {
  int index = 0;
  std::string text;
};
struct ToolUseStartEvent {
  int index = 0;
  std::string id;
  std::string name;
};
struct ToolUseDeltaEvent {
  int index = 0;
  std::string partial_json;
};
struct MessageStopEvent {
  StopReason stop_reason = StopReason::kUnknown;
};
struct UsageEvent {
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
};

using StreamEvent = std::variant<MessageStartEvent, TextDeltaEvent, ToolUseStartEvent,
                                 ToolUseDeltaEvent, MessageStopEvent, UsageEvent>;

// Concatenates the text blocks of a response (a convenience for callers that want plain text).
std::string response_text(const ChatResponse& response);

// True when some message holds a tool_use or tool_result block (vendors that cannot express
// tool_choice "none" must still send the tools such a history refers to).
bool has_tool_blocks(const ChatRequest& request);

}  // namespace osprey::providers
