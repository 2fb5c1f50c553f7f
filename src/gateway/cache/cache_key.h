#pragma once
// The response cache key: a SHA-256 over the normalized request (providers::ChatRequest, not
// the client's raw text), so JSON key order, whitespace and equivalent spellings do not matter.
// Every field that can change the answer is in it (model, system, messages, tools, tool_choice,
// response_format, sampling parameters, stop, seed, max tokens, stream and include_usage,
// provider options, unknown forwarded fields); `user` is not. Pure functions; thread-safe.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "providers/chat_types.h"

namespace osprey::gateway {

// The canonical JSON the key hashes (objects are key-sorted by nlohmann::json).
nlohmann::json cache_key_material(const providers::ChatRequest& request);

// Lowercase hex SHA-256 of `scope` (e.g. "tenant:7" or "shared") and the key material.
std::string cache_key(const providers::ChatRequest& request, std::string_view scope);

// True when the request asks for repeatable sampling: temperature present and 0.
bool is_deterministic(const providers::ChatRequest& request);

}  // namespace osprey::gateway
