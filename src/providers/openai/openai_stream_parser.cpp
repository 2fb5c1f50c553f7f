#include "providers/openai/openai_stream_parser.h"

#include <nlohmann/json.hpp>

#include "core/json_parse.h"
#include "providers/openai/openai_chunk_reader.h"
#include "providers/openai/openai_upstream_codec.h"

namespace osprey::providers::openai {

using nlohmann::json;

bool OpenAiStreamParser::feed_plain(std::string_view data, std::vector<StreamEvent>& events) {
  std::optional<PlainChunk> plain = read_plain_chunk(data, /*want_ids=*/!started_);
  if (!plain) return false;
  PlainChunk& chunk = *plain;
  // The events in the DOM path's order.
  if (!started_) {
    started_ = true;
    events.emplace_back(MessageStartEvent{std::move(chunk.id), std::move(chunk.model)});
  }
  if (!chunk.content.empty()) {
    if (!text_index_) text_index_ = next_index_++;
    events.emplace_back(TextDeltaEvent{*text_index_, std::move(chunk.content)});
  }
  for (PlainToolCall& call : chunk.calls) {
    auto it = tool_index_.find(call.index);
    if (it == tool_index_.end()) {
      it = tool_index_.emplace(call.index, next_index_++).first;
      events.emplace_back(ToolUseStartEvent{it->second, std::move(call.id), std::move(call.name)});
    }
    if (!call.arguments.empty()) {
      events.emplace_back(ToolUseDeltaEvent{it->second, std::move(call.arguments)});
    }
  }
  if (chunk.stop) events.emplace_back(MessageStopEvent{*chunk.stop});
  if (chunk.usage) {
    events.emplace_back(UsageEvent{chunk.usage->input_tokens, chunk.usage->output_tokens});
  }
  return true;
}

Result<std::vector<StreamEvent>> OpenAiStreamParser::fail(UpstreamError error) {
  last_error_ = std::move(error);
  return last_error_->to_error();
}

Result<std::vector<StreamEvent>> OpenAiStreamParser::feed(std::string_view data) {
  std::vector<StreamEvent> events;
  while (!data.empty() && (data.back() == '\n' || data.back() == '\r' || data.back() == ' ')) {
    data.remove_suffix(1);
  }
  if (data == "[DONE]") {
    done_ = true;
    return events;
  }
  if (feed_plain(data, events)) return events;
  const json chunk = parse_json(data);
  if (!chunk.is_object()) {
    return fail(malformed_upstream_body("openai", "stream chunk: " + body_excerpt(data)));
  }
  if (chunk.contains("error")) {
    UpstreamError e = parse_error(0, data);
    e.code = ErrorCode::kUpstreamError;
    e.retryable = false;  // part of the answer was already produced
    return fail(std::move(e));
  }
  try {
    if (!started_) {
      started_ = true;
      events.emplace_back(MessageStartEvent{chunk.value("id", ""), chunk.value("model", "")});
    }
    auto choices = chunk.find("choices");
    if (choices != chunk.end() && choices->is_array() && !choices->empty()) {
      const json& choice = (*choices)[0];
      auto delta = choice.find("delta");
      if (delta != choice.end() && delta->is_object()) {
        if (auto c = delta->find("content");
            c != delta->end() && c->is_string() && !c->get_ref<const std::string&>().empty()) {
          if (!text_index_) text_index_ = next_index_++;
          events.emplace_back(TextDeltaEvent{*text_index_, c->get<std::string>()});
        }
        if (auto calls = delta->find("tool_calls"); calls != delta->end() && calls->is_array()) {
          for (const auto& call : *calls) {
            const int k = call.value("index", 0);
            const json fn = call.value("function", json::object());
            auto it = tool_index_.find(k);
            if (it == tool_index_.end()) {
              it = tool_index_.emplace(k, next_index_++).first;
              events.emplace_back(
                  ToolUseStartEvent{it->second, call.value("id", ""), fn.value("name", "")});
            }
            if (auto a = fn.find("arguments");
                a != fn.end() && a->is_string() && !a->get_ref<const std::string&>().empty()) {
              events.emplace_back(ToolUseDeltaEvent{it->second, a->get<std::string>()});
            }
          }
        }
      }
      if (auto f = choice.find("finish_reason"); f != choice.end() && f->is_string()) {
        events.emplace_back(MessageStopEvent{parse_finish_reason(f->get<std::string>())});
      }
    }
    if (auto u = chunk.find("usage"); u != chunk.end() && u->is_object()) {
      events.emplace_back(UsageEvent{u->value("prompt_tokens", std::int64_t{0}),
                                     u->value("completion_tokens", std::int64_t{0})});
    }
  } catch (const json::exception& e) {
    return fail(malformed_upstream_body("openai", std::string("stream chunk: ") + e.what()));
  }
  return events;
}

}  // namespace osprey::providers::openai
