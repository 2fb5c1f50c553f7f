#include "providers/openai/openai_request_parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/echoed_name.h"
#include "core/json_parse.h"
#include "providers/base64.h"
#include "providers/json_cursor.h"

namespace osprey::providers::openai {
namespace {

using nlohmann::json;

// Internal only: thrown deep in the walk, caught in parse_chat_request, so every check is one
// line and no exception leaves this file.
struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw FieldError(path + ": " + what);
}

bool present(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && !it->is_null();
}

const json& require(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) fail(path + "." + key, "is required");
  return *it;
}

std::string get_string(const json& v, const std::string& path) {
  if (!v.is_string()) fail(path, "expected string");
  return v.get<std::string>();
}

double get_number(const json& v, const std::string& path) {
  if (!v.is_number()) fail(path, "expected number");
  return v.get<double>();
}

std::int64_t get_integer(const json& v, const std::string& path) {
  if (!v.is_number_integer()) fail(path, "expected integer");
  return v.get<std::int64_t>();
}

bool get_bool(const json& v, const std::string& path) {
  if (!v.is_boolean()) fail(path, "expected boolean");
  return v.get<bool>();
}

// "data:image/png;base64,AAAA" → bytes + media type; other URLs are kept as URLs.
ImageBlock parse_image_url(const std::string& url, const std::string& path) {
  ImageBlock image;
  if (url.rfind("data:", 0) != 0) {
    image.url = url;
    return image;
  }
  const auto comma = url.find(',');
  const std::string meta = url.substr(5, comma == std::string::npos ? 0 : comma - 5);
  const auto semi = meta.find(";base64");
  if (comma == std::string::npos || semi == std::string::npos) {
    fail(path, "expected a base64 data URL (data:<media-type>;base64,<data>)");
  }
  image.media_type = meta.substr(0, semi);
  auto bytes = base64_decode(std::string_view(url).substr(comma + 1));
  if (!bytes) fail(path, "invalid base64 data");
  image.data = std::move(*bytes);
  return image;
}

// An empty parts array would leave the message out of what the provider gets: refused, as
// OpenAI does (an assistant message's may be empty when it has tool calls).
void check_parts(const json& content, const std::string& path, bool allow_empty) {
  if (!content.is_array()) fail(path, "expected string or array");
  if (content.empty() && !allow_empty) fail(path, "must not be empty");
}

// Text-only content (system, developer, tool, assistant): a string or an array of text parts.
std::string parse_text_content(const json& content, const std::string& path,
                               bool allow_empty = false) {
  if (content.is_string()) return content.get<std::string>();
  check_parts(content, path, allow_empty);
  std::string text;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const std::string part_path = path + "[" + std::to_string(i) + "]";
    const json& part = content[i];
    if (!part.is_object()) fail(part_path, "expected object");
    const std::string type = get_string(require(part, "type", part_path), part_path + ".type");
    if (type != "text") fail(part_path + ".type", "expected \"text\", got \"" + type + "\"");
    text += get_string(require(part, "text", part_path), part_path + ".text");
  }
  return text;
}

std::vector<ContentBlock> parse_user_content(const json& content, const std::string& path) {
  std::vector<ContentBlock> blocks;
  if (content.is_string()) {
    blocks.emplace_back(TextBlock{content.get<std::string>()});
    return blocks;
  }
  check_parts(content, path, /*allow_empty=*/false);
  for (std::size_t i = 0; i < content.size(); ++i) {
    const std::string part_path = path + "[" + std::to_string(i) + "]";
    const json& part = content[i];
    if (!part.is_object()) fail(part_path, "expected object");
    const std::string type = get_string(require(part, "type", part_path), part_path + ".type");
    if (type == "text") {
      blocks.emplace_back(
          TextBlock{get_string(require(part, "text", part_path), part_path + ".text")});
    } else if (type == "image_url") {
      const json& image = require(part, "image_url", part_path);
      const std::string image_path = part_path + ".image_url";
      const std::string url =
          image.is_string() ? image.get<std::string>()
                            : get_string(require(image, "url", image_path), image_path + ".url");
      ImageBlock block = parse_image_url(url, image_path + ".url");
      if (image.is_object() && present(image, "detail")) {
        block.detail = get_string(image["detail"], image_path + ".detail");
      }
      blocks.emplace_back(std::move(block));
    } else {
      fail(part_path + ".type", "unsupported content part type \"" + type + "\"");
    }
  }
  return blocks;
}

ToolUseBlock parse_tool_call(const json& call, const std::string& path) {
  if (!call.is_object()) fail(path, "expected object");
  ToolUseBlock tool;
  tool.id = get_string(require(call, "id", path), path + ".id");
  if (present(call, "type") && get_string(call["type"], path + ".type") != "function") {
    fail(path + ".type", "expected \"function\"");
  }
  const json& fn = require(call, "function", path);
  if (!fn.is_object()) fail(path + ".function", "expected object");
  tool.name = get_string(require(fn, "name", path + ".function"), path + ".function.name");
  if (present(fn, "arguments")) {
    const std::string args = get_string(fn["arguments"], path + ".function.arguments");
    auto parsed = parse_json(args);
    // Models sometimes emit broken JSON; keep it verbatim rather than reject the history.
    tool.input = parsed.is_discarded() ? json(args) : std::move(parsed);
  }
  return tool;
}

void parse_message(const json& msg, const std::string& path, ChatRequest& req) {
  if (!msg.is_object()) fail(path, "expected object");
  const std::string role = get_string(require(msg, "role", path), path + ".role");
  const std::string content_path = path + ".content";
  if (role == "system" || role == "developer") {
    req.system.push_back(parse_text_content(require(msg, "content", path), content_path));
  } else if (role == "user") {
    req.messages.push_back(
        Message{Role::kUser, parse_user_content(require(msg, "content", path), content_path)});
  } else if (role == "assistant") {
    Message out{Role::kAssistant, {}};
    if (present(msg, "content")) {
      std::string text = parse_text_content(msg["content"], content_path, /*allow_empty=*/true);
      if (!text.empty()) out.content.emplace_back(TextBlock{std::move(text)});
    }
    if (present(msg, "tool_calls")) {
      const json& calls = msg["tool_calls"];
      if (!calls.is_array()) fail(path + ".tool_calls", "expected array");
      for (std::size_t i = 0; i < calls.size(); ++i) {
        out.content.emplace_back(
            parse_tool_call(calls[i], path + ".tool_calls[" + std::to_string(i) + "]"));
      }
    }
    if (out.content.empty()) fail(content_path, "assistant message needs content or tool_calls");
    req.messages.push_back(std::move(out));
  } else if (role == "tool") {
    ToolResultBlock result;
    result.tool_use_id = get_string(require(msg, "tool_call_id", path), path + ".tool_call_id");
    result.content.push_back({ToolResultPart::Kind::kText,
                              parse_text_content(require(msg, "content", path), content_path),
                              nullptr});
    req.messages.push_back(Message{Role::kUser, {std::move(result)}});
  } else {
    fail(path + ".role",
         "expected one of system, developer, user, assistant, tool; got \"" + role + "\"");
  }
}

ToolSpec parse_tool(const json& tool, const std::string& path) {
  if (!tool.is_object()) fail(path, "expected object");
  const std::string type = get_string(require(tool, "type", path), path + ".type");
  if (type != "function") fail(path + ".type", "expected \"function\"");
  const json& fn = require(tool, "function", path);
  if (!fn.is_object()) fail(path + ".function", "expected object");
  ToolSpec spec;
  spec.name = get_string(require(fn, "name", path + ".function"), path + ".function.name");
  if (spec.name.empty()) fail(path + ".function.name", "must not be empty");
  if (present(fn, "description")) {
    spec.description = get_string(fn["description"], path + ".function.description");
  }
  if (present(fn, "parameters")) {
    if (!fn["parameters"].is_object()) fail(path + ".function.parameters", "expected object");
    spec.input_schema = fn["parameters"];
  } else {
    spec.input_schema = {{"type", "object"}, {"properties", json::object()}};
  }
  return spec;
}

ToolChoice parse_tool_choice(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "auto") return {ToolChoice::Kind::kAuto, ""};
    if (s == "none") return {ToolChoice::Kind::kNone, ""};
    if (s == "required") return {ToolChoice::Kind::kRequired, ""};
    fail("tool_choice", "expected \"auto\", \"none\", \"required\" or an object");
  }
  if (!v.is_object()) fail("tool_choice", "expected string or object");
  const json& fn = require(v, "function", "tool_choice");
  if (!fn.is_object()) fail("tool_choice.function", "expected object");
  return {ToolChoice::Kind::kTool,
          get_string(require(fn, "name", "tool_choice.function"), "tool_choice.function.name")};
}

// A choice no given tool can satisfy is refused here, as OpenAI does, rather than by whichever
// provider gets it. "auto" and "none" without tools are harmless and stay accepted.
void check_tool_choice(const ChatRequest& req) {
  if (!req.tool_choice) return;
  const ToolChoice& choice = *req.tool_choice;
  if (choice.kind == ToolChoice::Kind::kRequired && req.tools.empty()) {
    fail("tool_choice", "\"required\" needs at least one tool in tools");
  }
  if (choice.kind == ToolChoice::Kind::kTool &&
      std::none_of(req.tools.begin(), req.tools.end(),
                   [&](const ToolSpec& t) { return t.name == choice.name; })) {
    fail("tool_choice.function.name",
         "names no function in tools (got \"" + echoed_name(choice.name) + "\")");
  }
}

void check_provider_options(const json& options) {
  if (!options.is_object()) fail("provider_options", "expected object");
  for (auto it = options.begin(); it != options.end(); ++it) {
    if (is_standard_chat_field(it.key())) {
      fail("provider_options." + it.key(), "is a standard request field; set it at the top level");
    }
  }
}

ResponseFormat parse_response_format(const json& v) {
  if (!v.is_object()) fail("response_format", "expected object");
  const std::string type =
      get_string(require(v, "type", "response_format"), "response_format.type");
  ResponseFormat rf;
  if (type == "text") {
    rf.kind = ResponseFormat::Kind::kText;
  } else if (type == "json_object") {
    rf.kind = ResponseFormat::Kind::kJsonObject;
  } else if (type == "json_schema") {
    rf.kind = ResponseFormat::Kind::kJsonSchema;
    const json& js = require(v, "json_schema", "response_format");
    if (!js.is_object()) fail("response_format.json_schema", "expected object");
    rf.name = get_string(require(js, "name", "response_format.json_schema"),
                         "response_format.json_schema.name");
    if (present(js, "schema")) {
      if (!js["schema"].is_object()) fail("response_format.json_schema.schema", "expected object");
      rf.schema = js["schema"];
    }
    if (present(js, "strict"))
      rf.strict = get_bool(js["strict"], "response_format.json_schema.strict");
  } else {
    fail("response_format.type", "expected \"text\", \"json_object\" or \"json_schema\"");
  }
  return rf;
}

ChatRequest parse_or_throw(const json& body) {
  if (!body.is_object()) fail("body", "expected a JSON object");
  ChatRequest req;
  req.model = get_string(require(body, "model", "body"), "model");
  if (req.model.empty()) fail("model", "must not be empty");
  const json& messages = require(body, "messages", "body");
  if (!messages.is_array()) fail("messages", "expected array");
  if (messages.empty()) fail("messages", "must not be empty");
  for (std::size_t i = 0; i < messages.size(); ++i) {
    parse_message(messages[i], "messages[" + std::to_string(i) + "]", req);
  }

  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& key = it.key();
    const json& v = it.value();
    if (key_is(key, "model") || key_is(key, "messages")) continue;
    if (v.is_null()) continue;  // OpenAI SDKs send explicit nulls for unset fields
    if (key_is(key, "tools")) {
      if (!v.is_array()) fail("tools", "expected array");
      for (std::size_t i = 0; i < v.size(); ++i) {
        req.tools.push_back(parse_tool(v[i], "tools[" + std::to_string(i) + "]"));
      }
    } else if (key_is(key, "tool_choice")) {
      req.tool_choice = parse_tool_choice(v);
    } else if (key_is(key, "temperature")) {
      req.inference.temperature = get_number(v, key);
    } else if (key_is(key, "top_p")) {
      req.inference.top_p = get_number(v, key);
    } else if (key_is(key, "max_tokens") || key_is(key, "max_completion_tokens")) {
      const std::int64_t n = get_integer(v, key);
      if (n < 1) fail(key, "must be at least 1");
      req.inference.max_tokens = n;
    } else if (key_is(key, "stop")) {
      if (v.is_string()) {
        req.inference.stop.push_back(v.get<std::string>());
      } else if (v.is_array()) {
        for (std::size_t i = 0; i < v.size(); ++i) {
          req.inference.stop.push_back(get_string(v[i], "stop[" + std::to_string(i) + "]"));
        }
      } else {
        fail("stop", "expected string or array");
      }
    } else if (key_is(key, "seed")) {
      req.inference.seed = get_integer(v, key);
    } else if (key_is(key, "response_format")) {
      req.response_format = parse_response_format(v);
    } else if (key_is(key, "user")) {
      req.user = get_string(v, key);
    } else if (key_is(key, "stream")) {
      req.stream = get_bool(v, key);
    } else if (key_is(key, "stream_options")) {
      if (!v.is_object()) fail(key, "expected object");
      if (present(v, "include_usage")) {
        req.include_usage = get_bool(v["include_usage"], "stream_options.include_usage");
      }
    } else if (key_is(key, "provider_options")) {
      check_provider_options(v);
      req.provider_options = v;
    } else {
      req.extra[key] = v;
    }
  }
  check_tool_choice(req);
  return req;
}

}  // namespace

bool is_standard_chat_field(std::string_view name) {
  static constexpr std::array<std::string_view, 26> kFields = {"frequency_penalty",
                                                               "logit_bias",
                                                               "logprobs",
                                                               "max_completion_tokens",
                                                               "max_tokens",
                                                               "messages",
                                                               "metadata",
                                                               "modalities",
                                                               "model",
                                                               "n",
                                                               "parallel_tool_calls",
                                                               "presence_penalty",
                                                               "reasoning_effort",
                                                               "response_format",
                                                               "seed",
                                                               "service_tier",
                                                               "stop",
                                                               "store",
                                                               "stream",
                                                               "stream_options",
                                                               "temperature",
                                                               "tool_choice",
                                                               "tools",
                                                               "top_logprobs",
                                                               "top_p",
                                                               "user"};
  return std::find(kFields.begin(), kFields.end(), name) != kFields.end();
}

Result<ChatRequest> parse_chat_request(const json& body) {
  try {
    return parse_or_throw(body);
  } catch (const FieldError& e) {
    return make_error(ErrorCode::kInvalidRequest, e.what());
  } catch (const json::exception& e) {
    return make_error(ErrorCode::kInvalidRequest, std::string("invalid request: ") + e.what());
  }
}

namespace {

// A number as nlohmann reads it for get<double>() (integers converted, others strtod-rounded).
std::optional<double> read_number(JsonCursor& c) {
  const char next = c.peek();
  if (next != '-' && (next < '0' || next > '9')) return std::nullopt;
  std::string_view token = c.number_token();
  if (token.empty()) return std::nullopt;
  const char* begin = token.data();
  const char* end = begin + token.size();
  // nlohmann keeps integer tokens as integers ("-0" is 0, not -0.0) and converts them.
  if (token.find_first_of(".eE") == std::string_view::npos) {
    std::int64_t i = 0;
    if (auto [p, ec] = std::from_chars(begin, end, i); ec == std::errc() && p == end) {
      return static_cast<double>(i);
    }
    std::uint64_t u = 0;
    if (auto [p, ec] = std::from_chars(begin, end, u); ec == std::errc() && p == end) {
      return static_cast<double>(u);
    }
  }
  double value = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<bool> read_bool(JsonCursor& c) {
  if (c.consume_literal("true")) return true;
  if (c.consume_literal("false")) return false;
  return std::nullopt;
}

// One message of the common shapes: system/developer/user with string content, assistant with
// string or null content and no tool calls. Anything else is left to the full parser.
bool read_plain_message(JsonCursor& c, ChatRequest& req) {
  using Step = JsonCursor::Step;
  if (!c.consume('{')) return false;
  enum class PlainRole { kNone, kSystem, kUser, kAssistant };
  PlainRole role = PlainRole::kNone;
  std::optional<std::string> content;  // absent or null: nullopt
  bool seen_content = false;
  bool first = true;
  std::string_view key;
  for (Step step; (step = c.next_member(first, key)) != Step::kEnd;) {
    if (step == Step::kError) return false;
    if (key_is(key, "role")) {
      if (role != PlainRole::kNone) return false;
      const auto name = c.string_view();
      if (!name) return false;
      if (*name == "system" || *name == "developer") {
        role = PlainRole::kSystem;
      } else if (*name == "user") {
        role = PlainRole::kUser;
      } else if (*name == "assistant") {
        role = PlainRole::kAssistant;
      } else {
        return false;  // tool, or an error worded by the full parser
      }
    } else if (key_is(key, "content")) {
      if (std::exchange(seen_content, true)) return false;
      if (c.consume_literal("null")) continue;
      content = c.string();
      if (!content) return false;
    } else if (key_is(key, "tool_calls") || key_is(key, "tool_call_id")) {
      return false;
    } else if (key_is(key, "name") || key_is(key, "refusal")) {
      // Ignored by the full parser too; only their JSON Schema types are checked here, so that
      // a body this reader takes needs no schema walk for them (gateway/validation).
      if (!c.consume_literal("null") && !c.string_view()) return false;
    } else if (!c.skip_value()) {
      return false;
    }
  }
  switch (role) {
    case PlainRole::kNone:
      return false;
    case PlainRole::kSystem:
      if (!content) return false;
      req.system.push_back(std::move(*content));
      return true;
    case PlainRole::kUser:
      if (!content) return false;
      req.messages.push_back(Message{Role::kUser, {}});
      break;
    case PlainRole::kAssistant:
      if (!content || content->empty()) return false;  // needs content or tool_calls
      req.messages.push_back(Message{Role::kAssistant, {}});
      break;
  }
  req.messages.back().content.emplace_back(TextBlock{std::move(*content)});
  return true;
}

// The top-level fields the plain reader takes besides model and messages, as bits, so that a
// repeated one (left to the full parser: the last occurrence wins there) is found without
// keeping the keys.
enum PlainField : unsigned {
  kTemperature = 1U << 0,
  kTopP = 1U << 1,
  kMaxTokens = 1U << 2,
  kMaxCompletionTokens = 1U << 3,
  kSeed = 1U << 4,
  kUser = 1U << 5,
  kStream = 1U << 6,
  kStreamOptions = 1U << 7,
};

unsigned plain_field(std::string_view key) {
  if (key_is(key, "temperature")) return kTemperature;
  if (key_is(key, "top_p")) return kTopP;
  if (key_is(key, "max_tokens")) return kMaxTokens;
  if (key_is(key, "max_completion_tokens")) return kMaxCompletionTokens;
  if (key_is(key, "seed")) return kSeed;
  if (key_is(key, "user")) return kUser;
  if (key_is(key, "stream")) return kStream;
  if (key_is(key, "stream_options")) return kStreamOptions;
  return 0;  // tools, formats, vendor options, unknown fields: the full parser
}

}  // namespace

// The common request (text messages, sampling fields, stream flags) read straight into a
// ChatRequest without a DOM: this runs once per request. Anything else, including every error,
// returns false and takes the full path, so the result is always what that path gives.
bool read_plain_chat_request(std::string_view body, ChatRequest& req) {
  using Step = JsonCursor::Step;
  JsonCursor c(body);
  if (!c.consume('{')) return false;
  bool seen_model = false, seen_messages = false;
  unsigned seen = 0;  // PlainField bits
  bool first = true;
  std::string_view key;
  for (Step step; (step = c.next_member(first, key)) != Step::kEnd;) {
    if (step == Step::kError) return false;
    if (key_is(key, "model")) {
      if (std::exchange(seen_model, true)) return false;
      auto model = c.string();
      if (!model || model->empty()) return false;
      req.model = std::move(*model);
      continue;
    }
    if (key_is(key, "messages")) {
      if (std::exchange(seen_messages, true) || !c.consume('[')) return false;
      bool first_message = true;
      for (Step m; (m = c.next_element(first_message)) != Step::kEnd;) {
        if (m == Step::kError || !read_plain_message(c, req)) return false;
      }
      if (first_message) return false;  // empty: an error, worded by the full parser
      continue;
    }
    const unsigned field = plain_field(key);
    if (field == 0 || (seen & field) != 0) return false;
    seen |= field;
    if (c.consume_literal("null")) continue;  // explicit nulls mean unset
    switch (field) {
      case kTemperature:
      case kTopP: {
        auto v = read_number(c);
        if (!v) return false;
        (field == kTemperature ? req.inference.temperature : req.inference.top_p) = *v;
        break;
      }
      case kMaxTokens:
      case kMaxCompletionTokens:
      case kSeed: {
        auto v = c.integer();
        if (!v) return false;
        if (field == kSeed) {
          req.inference.seed = *v;
        } else {
          if (*v < 1 || req.inference.max_tokens) return false;  // both: sorted-last wins
          req.inference.max_tokens = *v;
        }
        break;
      }
      case kUser: {
        if (!c.string_into(req.user)) return false;
        break;
      }
      case kStream: {
        auto v = read_bool(c);
        if (!v) return false;
        req.stream = *v;
        break;
      }
      default: {  // kStreamOptions
        if (!c.consume('{')) return false;
        bool first_option = true, seen_usage = false;
        for (Step o; (o = c.next_member(first_option, key)) != Step::kEnd;) {
          if (o == Step::kError) return false;
          if (key != "include_usage") {
            if (!c.skip_value()) return false;
            continue;
          }
          if (std::exchange(seen_usage, true)) return false;
          if (c.consume_literal("null")) continue;
          auto v = read_bool(c);
          if (!v) return false;
          req.include_usage = *v;
        }
        break;
      }
    }
  }
  return seen_model && seen_messages && c.at_end();
}

std::optional<ChatRequest> parse_plain_chat_request(std::string_view body) {
  std::optional<ChatRequest> req(std::in_place);
  if (!read_plain_chat_request(body, *req)) return std::nullopt;
  return req;
}

Result<ChatRequest> parse_chat_request_text(std::string_view body) {
  if (auto fast = parse_plain_chat_request(body)) return std::move(*fast);
  auto parsed = parse_json(body);
  if (parsed.is_discarded()) {
    return make_error(ErrorCode::kInvalidRequest, "body: " + json_refusal(body));
  }
  return parse_chat_request(parsed);
}

}  // namespace osprey::providers::openai
