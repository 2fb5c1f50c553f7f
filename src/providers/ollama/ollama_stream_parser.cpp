#include "providers/ollama/ollama_stream_parser.h"

#include <nlohmann/json.hpp>

#include "core/json_parse.h"
#include "providers/json_cursor.h"
#include "providers/ollama/ollama_codec.h"

namespace osprey::providers::ollama {

using nlohmann::json;

namespace {

// The line's "message", from its '{'.
bool read_plain_message(JsonCursor& c, PlainLine& out) {
  using Step = JsonCursor::Step;
  bool first = true, seen_content = false;
  std::string_view key;
  for (Step m; (m = c.next_member(first, key)) != Step::kEnd;) {
    if (m == Step::kError || key_is(key, "tool_calls")) return false;
    if (key_is(key, "content")) {
      // null too goes to the DOM path, which refuses it
      if (!once(seen_content) || !c.string_into(out.content)) return false;
    } else if (!c.skip_value()) {
      return false;
    }
  }
  return true;
}

// The final line's fields are only read once "done" is known to be true, so a field of another
// type is noted here and the line left to the DOM path only then.
bool read_line(std::string_view line, bool want_model, PlainLine& out) {
  using Step = JsonCursor::Step;
  JsonCursor c(line);
  if (!c.consume('{')) return false;
  bool seen_model = false, seen_message = false, seen_done = false, seen_reason = false;
  bool seen_in = false, seen_out = false, end_fields_plain = true;
  bool first = true;
  std::string_view key;
  for (Step step; (step = c.next_member(first, key)) != Step::kEnd;) {
    if (step == Step::kError || key_is(key, "error")) return false;
    if (want_model && key_is(key, "model")) {
      if (!once(seen_model) || !c.string_into(out.model)) return false;
    } else if (key_is(key, "message")) {
      if (!once(seen_message) || !c.consume('{') || !read_plain_message(c, out)) return false;
    } else if (key_is(key, "done")) {
      if (!once(seen_done)) return false;
      out.done = c.consume_literal("true");
      if (!out.done && !c.consume_literal("false")) return false;
    } else if (key_is(key, "done_reason")) {
      if (!once(seen_reason)) return false;
      if (c.peek() != '"') {
        end_fields_plain = false;
        if (!c.skip_value()) return false;
      } else if (!c.string_into(out.done_reason)) {
        return false;
      }
    } else if (const bool in = key_is(key, "prompt_eval_count"); in || key_is(key, "eval_count")) {
      if (!once(in ? seen_in : seen_out)) return false;
      if (auto value = c.integer()) {
        (in ? out.prompt_eval_count : out.eval_count) = *value;
      } else {
        end_fields_plain = false;
        if (!c.skip_value()) return false;
      }
    } else if (!c.skip_value()) {
      return false;
    }
  }
  return c.at_end() && (end_fields_plain || !out.done);
}

}  // namespace

std::optional<PlainLine> read_plain_stream_line(std::string_view line, bool want_model) {
  std::optional<PlainLine> out(std::in_place);
  if (!read_line(line, want_model, *out)) out.reset();
  return out;
}

void OllamaStreamParser::open(std::string model, std::vector<StreamEvent>& events) {
  if (started_) return;
  started_ = true;
  events.emplace_back(MessageStartEvent{"", std::move(model)});
}

void OllamaStreamParser::add_text(std::string content, std::vector<StreamEvent>& events) {
  if (content.empty()) return;
  if (!text_index_) text_index_ = next_index_++;
  events.emplace_back(TextDeltaEvent{*text_index_, std::move(content)});
}

void OllamaStreamParser::close(std::int64_t input_tokens, std::int64_t output_tokens,
                               std::string_view reason, std::vector<StreamEvent>& events) {
  done_ = true;
  events.emplace_back(UsageEvent{input_tokens, output_tokens});
  events.emplace_back(MessageStopEvent{parse_done_reason(reason, saw_tool_call_)});
}

Result<std::vector<StreamEvent>> OllamaStreamParser::feed(std::string_view line) {
  std::vector<StreamEvent> events;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.empty()) return events;
  if (auto plain = read_plain_stream_line(line, !started_)) {
    open(std::move(plain->model), events);
    add_text(std::move(plain->content), events);
    if (plain->done) close(plain->prompt_eval_count, plain->eval_count, plain->done_reason, events);
    return events;
  }
  const json doc = parse_json(line);
  if (!doc.is_object()) {
    last_error_ = malformed_upstream_body("ollama", "stream line: " + body_excerpt(line));
    return last_error_->to_error();
  }
  if (auto e = doc.find("error"); e != doc.end()) {
    last_error_ = parse_error(0, line);
    last_error_->code = ErrorCode::kUpstreamError;
    return last_error_->to_error();
  }
  try {
    if (!started_) open(doc.value("model", ""), events);
    const json message = doc.value("message", json::object());
    add_text(message.value("content", ""), events);
    if (auto calls = message.find("tool_calls"); calls != message.end() && calls->is_array()) {
      for (const auto& call : *calls) {
        const int index = next_index_++;
        const json fn = call.value("function", json::object());
        saw_tool_call_ = true;
        events.emplace_back(ToolUseStartEvent{
            index, call.value("id", "call_" + std::to_string(index)), fn.value("name", "")});
        const json args = parse_tool_arguments(fn);
        events.emplace_back(
            ToolUseDeltaEvent{index, args.is_string() ? args.get<std::string>() : args.dump()});
      }
    }
    if (doc.value("done", false)) {
      // Read in this order, so that the first field of a wrong type names the error.
      const auto input_tokens = doc.value("prompt_eval_count", std::int64_t{0});
      const auto output_tokens = doc.value("eval_count", std::int64_t{0});
      close(input_tokens, output_tokens, doc.value("done_reason", ""), events);
    }
  } catch (const json::exception& e) {
    last_error_ = malformed_upstream_body("ollama", std::string("stream line: ") + e.what());
    return last_error_->to_error();
  }
  return events;
}

}  // namespace osprey::providers::ollama
