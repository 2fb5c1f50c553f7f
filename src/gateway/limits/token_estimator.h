#pragma once
// TokenEstimate: what a chat request is expected to use before it is sent, for the tokens/minute
// bucket and the budget reservation. Prompt tokens are estimated as ceil(characters / 4) of all
// text the model reads (system prompt, message text, tool call arguments and results, tool
// definitions), plus 4 per message for role framing; images count a flat 85 tokens (OpenAI's
// low-detail price). Output tokens are the request's max_tokens, or `default_max_tokens` when
// it sets none. The estimate is reconciled with the upstream's real usage after the call.
#include <cstdint>

#include "providers/chat_types.h"

namespace osprey::gateway {

struct TokenEstimate {
  std::int64_t prompt_tokens = 0;
  std::int64_t max_output_tokens = 0;
  std::int64_t total() const { return prompt_tokens + max_output_tokens; }
};

TokenEstimate estimate_tokens(const providers::ChatRequest& request,
                              std::int64_t default_max_tokens);

// ceil(chars / 4): the usual English-text rule of thumb for BPE tokenizers.
std::int64_t estimate_text_tokens(std::size_t chars);

}  // namespace osprey::gateway
