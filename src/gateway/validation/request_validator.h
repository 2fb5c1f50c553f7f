#pragma once
// RequestValidator: the validation stage of the /v1 pipeline, run right after authentication and
// before anything else looks at the body (docs/security.md). It checks a parsed body against the
// route's JSON Schema (400 invalid_request naming the field, also in the error's "param") and,
// for chat, against the configured deny rules (400 content_denied naming the rule). Schemas are
// compiled once by create(); check() is const and thread-safe.
#include <memory>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "gateway/validation/deny_rules.h"
#include "gateway/validation/json_schema.h"
#include "gateway/validation/validation_config.h"
#include "providers/chat_types.h"

namespace osprey::gateway::validation {

// A number property's [min, max] as the schema states it.
struct NumberRange {
  double min = 0;
  double max = 0;
};

// The request bodies that have a schema (one per /v1 POST route).
enum class BodyKind { kChatCompletions };

class RequestValidator {
 public:
  static Result<std::shared_ptr<const RequestValidator>> create(const ValidationConfig& config);

  // OK when `body` may go on to the provider.
  Status check(BodyKind kind, const nlohmann::json& body) const;
  // For a chat body the DOM-free reader took (providers::openai::parse_plain_chat_request):
  // true when check() is known to pass it, so its tree need not be built. That reader takes
  // only shapes the schema allows apart from the ranges of temperature and top_p, checked here;
  // with deny rules configured the answer is always false. False: build the tree and check().
  bool passes_plain_chat(const providers::ChatRequest& request) const;

 private:
  RequestValidator() = default;
  bool schema_validation_ = true;
  std::shared_ptr<const JsonSchema> chat_schema_;
  // The bounds of the fields passes_plain_chat() checks, taken from the chat schema.
  NumberRange temperature_range_;
  NumberRange top_p_range_;
  std::shared_ptr<const DenyRules> deny_rules_;
};

}  // namespace osprey::gateway::validation
