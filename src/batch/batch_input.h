#pragma once
// The input of a batch: OpenAI's batch input format, one request per JSONL line,
//   {"custom_id": "req-1", "method": "POST", "url": "/v1/chat/completions", "body": {...}}
// checked as a whole before a job exists, so a bad line is a 400 naming the line and nothing
// is stored. custom_id is unique within the batch (it becomes the item key); every line asks
// the same model (the batch's resource for per-model concurrency), which the batch's `model`
// may supply or must match. Pure functions, thread-safe.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey::batch {

inline constexpr std::string_view kChatCompletionsEndpoint = "/v1/chat/completions";

struct BatchLine {
  std::size_t line = 0;  // 1-based line of the file (position in `items`)
  std::string custom_id;
  nlohmann::json body;  // the chat completion request, `model` filled in
};

// An extra check of each body (the gateway's request schema and deny rules); empty = none.
using BodyCheck = std::function<Status(const nlohmann::json& body)>;

struct BatchInputRules {
  std::string endpoint = std::string(kChatCompletionsEndpoint);
  std::string model;  // "" = the first line's model is the batch's
  std::size_t max_lines = 50'000;
  BodyCheck check_body;
};

struct BatchInput {
  std::string model;  // the one model every line asks
  std::vector<BatchLine> lines;
};

// JSONL text; blank lines are skipped (but counted in line numbers).
Result<BatchInput> parse_batch_jsonl(std::string_view text, const BatchInputRules& rules);
// The same lines as a JSON array of line objects (spec.items).
Result<BatchInput> parse_batch_items(const nlohmann::json& items, const BatchInputRules& rules);

}  // namespace osprey::batch
