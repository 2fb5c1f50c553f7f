#include "providers/openai/openai_chunk_writer.h"

#include "providers/openai/openai_response_writer.h"
#include "providers/overloaded.h"

namespace osprey::providers::openai {

using nlohmann::json;

OpenAiChunkWriter::OpenAiChunkWriter(std::string id, std::string model, std::int64_t created,
                                     bool include_usage)
    : id_(std::move(id)),
      model_(std::move(model)),
      created_(created),
      include_usage_(include_usage) {}

json OpenAiChunkWriter::chunk(json delta, json finish) const {
  return {{"id", id_},
          {"object", "chat.completion.chunk"},
          {"created", created_},
          {"model", model_},
          {"choices", json::array({{{"index", 0},
                                    {"delta", std::move(delta)},
                                    {"logprobs", nullptr},
                                    {"finish_reason", std::move(finish)}}})}};
}

std::vector<json> OpenAiChunkWriter::write(const StreamEvent& event) {
  std::vector<json> out;
  // OpenAI streams always open with a role delta; emit it even if the upstream had no start.
  auto ensure_started = [&] {
    if (started_) return;
    started_ = true;
    out.push_back(chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
  };
  std::visit(
      Overloaded{
          [&](const MessageStartEvent& e) {
            if (id_.empty()) id_ = e.id;
            if (model_.empty()) model_ = e.model;
            ensure_started();
          },
          [&](const TextDeltaEvent& e) {
            ensure_started();
            if (!e.text.empty()) out.push_back(chunk({{"content", e.text}}, nullptr));
          },
          [&](const ToolUseStartEvent& e) {
            ensure_started();
            const int k = static_cast<int>(tool_index_.size());
            tool_index_[e.index] = k;
            out.push_back(
                chunk({{"tool_calls",
                        json::array({{{"index", k},
                                      {"id", e.id},
                                      {"type", "function"},
                                      {"function", {{"name", e.name}, {"arguments", ""}}}}})}},
                      nullptr));
          },
          [&](const ToolUseDeltaEvent& e) {
            ensure_started();
            auto it = tool_index_.find(e.index);
            if (it == tool_index_.end() || e.partial_json.empty()) return;
            out.push_back(chunk(
                {{"tool_calls", json::array({{{"index", it->second},
                                              {"function", {{"arguments", e.partial_json}}}}})}},
                nullptr));
          },
          [&](const MessageStopEvent& e) {
            ensure_started();
            out.push_back(chunk(json::object(), finish_reason(e.stop_reason)));
          },
          [&](const UsageEvent& e) {
            if (e.input_tokens > 0) usage_.input_tokens = e.input_tokens;
            if (e.output_tokens > 0) usage_.output_tokens = e.output_tokens;
          },
      },
      event);
  return out;
}

std::optional<json> OpenAiChunkWriter::finish() {
  if (!include_usage_) return std::nullopt;
  return json{{"id", id_},
              {"object", "chat.completion.chunk"},
              {"created", created_},
              {"model", model_},
              {"choices", json::array()},
              {"usage",
               {{"prompt_tokens", usage_.input_tokens},
                {"completion_tokens", usage_.output_tokens},
                {"total_tokens", usage_.input_tokens + usage_.output_tokens}}}};
}

}  // namespace osprey::providers::openai
