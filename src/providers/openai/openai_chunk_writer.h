#pragma once
// OpenAiChunkWriter renders StreamEvents as OpenAI `chat.completion.chunk` objects for the
// client-facing SSE stream. It numbers tool calls 0,1,2… in the order they start (OpenAI's
// `tool_calls[].index`), whatever content index the upstream used.
// Not thread-safe: one instance per client stream.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "providers/chat_types.h"

namespace osprey::providers::openai {

class OpenAiChunkWriter {
 public:
  // `id`/`model` are what the client sees; when empty, the upstream's MessageStartEvent values
  // are used. `include_usage` mirrors the request's stream_options.include_usage.
  OpenAiChunkWriter(std::string id, std::string model, std::int64_t created, bool include_usage);

  // Zero or more chunks for one event (usage is held back until finish()).
  std::vector<nlohmann::json> write(const StreamEvent& event);
  // The trailing usage chunk (`choices: []`) when include_usage was requested.
  std::optional<nlohmann::json> finish();

 private:
  nlohmann::json chunk(nlohmann::json delta, nlohmann::json finish) const;

  std::string id_;
  std::string model_;
  std::int64_t created_;
  bool include_usage_;
  bool started_ = false;
  std::map<int, int> tool_index_;  // content index → OpenAI tool_calls index
  Usage usage_;
};

}  // namespace osprey::providers::openai
