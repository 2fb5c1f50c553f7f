#pragma once
// read_plain_usage: an OpenAI `usage` object read without a DOM, shared by the response and the
// stream readers. Integer token counts only: any other value (and a repeated key) returns false,
// and the caller falls back to the nlohmann path, which converts or rejects it.
// Pure; thread-safe.
#include "providers/chat_types.h"
#include "providers/json_cursor.h"

namespace osprey::providers::openai {

// From just after the object's '{' through its '}'; other members are skipped.
bool read_plain_usage(JsonCursor& c, Usage& usage);

}  // namespace osprey::providers::openai
