#pragma once
// Fields of OpenAI answers read without a DOM, shared by the plain-response reader
// (openai_upstream_codec.cpp) and the stream-chunk reader (openai_chunk_reader.h). Each returns
// false for anything it does not handle (a repeated key, a value of another type), and the
// caller then falls back to the nlohmann path, which converts or rejects it.
// Pure; thread-safe.
#include <optional>
#include <string>

#include "providers/chat_types.h"
#include "providers/json_cursor.h"

namespace osprey::providers::openai {

// A `usage` object, from just after its '{' through its '}': integer token counts only; other
// members are skipped.
bool read_plain_usage(JsonCursor& c, Usage& usage);

// A text field (`content`, `arguments`): a string goes into `text`; any other value (null) is
// skipped and `text` left as it was, as the nlohmann path ignores it.
bool read_plain_text(JsonCursor& c, std::string& text);

// A `finish_reason` value: a string sets `reason`; any other value (null) is skipped, as the
// nlohmann path ignores it.
bool read_plain_finish_reason(JsonCursor& c, std::optional<StopReason>& reason);

}  // namespace osprey::providers::openai
