#pragma once
// read_plain_chunk: one `chat.completion.chunk` of an OpenAI-compatible stream read without a
// DOM, into the fields its stream events are made of (this runs for every token). Only clean
// chunks are read: fields of the expected types, no repeated key, no `error`. Anything else
// returns nullopt and is left to the nlohmann path of OpenAiStreamParser, which then decides and
// words any error, so the events are always what that path gives.
// Pure; thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "providers/chat_types.h"

namespace osprey::providers::openai {

struct PlainToolCall {
  int index = 0;          // tool_calls[].index (0 when absent)
  std::string id;         // empty when absent
  std::string name;       // function.name; empty when absent
  std::string arguments;  // function.arguments; empty when absent or not a string
};

struct PlainChunk {
  std::string id;                    // only read with want_ids
  std::string model;                 // only read with want_ids
  std::string content;               // choices[0].delta.content; empty when absent or null
  std::vector<PlainToolCall> calls;  // choices[0].delta.tool_calls
  std::optional<StopReason> stop;    // choices[0].finish_reason, when a string
  std::optional<Usage> usage;        // when an object
};

// `want_ids`: the first chunk's id and model open the message; later chunks' are not read (the
// nlohmann path does not look at them either).
std::optional<PlainChunk> read_plain_chunk(std::string_view data, bool want_ids);

}  // namespace osprey::providers::openai
