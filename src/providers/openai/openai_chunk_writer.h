#pragma once
// OpenAiChunkWriter renders StreamEvents as OpenAI `chat.completion.chunk` objects for the
// client-facing SSE stream. It numbers tool calls 0,1,2… in the order they start (OpenAI's
// `tool_calls[].index`), whatever content index the upstream used. The text is written directly,
// without a DOM (this runs for every token of every stream), byte for byte what nlohmann's
// dump() writes for the same object: keys in sorted order, strings escaped alike.
// Not thread-safe: one instance per client stream.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "providers/chat_types.h"

namespace osprey::providers::openai {

class OpenAiChunkWriter {
 public:
  // `id`/`model` are what the client sees; when empty, the upstream's MessageStartEvent values
  // are used. `include_usage` mirrors the request's stream_options.include_usage.
  OpenAiChunkWriter(std::string id, std::string model, std::int64_t created, bool include_usage);

  // Appends the JSON text of zero or more chunks for one event to `out` (usage is held back
  // until finish()).
  void write(const StreamEvent& event, std::vector<std::string>& out);
  // The trailing usage chunk (`choices: []`) when include_usage was requested.
  std::optional<std::string> finish();

 private:
  // One chunk whose only choice has `delta` and `finish_reason` (both JSON text).
  std::string chunk(std::string_view delta, std::string_view finish_reason);
  // `"created":…,"id":…,"model":…,"object":"chat.completion.chunk"`: the same for every chunk
  // once the id and model are known, so it is written once.
  const std::string& common_members();

  std::string id_;
  std::string model_;
  std::int64_t created_;
  bool include_usage_;
  bool started_ = false;
  std::map<int, int> tool_index_;  // content index → OpenAI tool_calls index
  Usage usage_;
  std::string common_;  // empty until first needed; cleared when the id or model changes
  std::string delta_;   // the delta being written
};

}  // namespace osprey::providers::openai
