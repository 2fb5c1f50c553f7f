#include "gateway/validation/request_validator.h"

#include "gateway/validation/embedded_schemas.h"

namespace osprey::gateway::validation {

Result<std::shared_ptr<const RequestValidator>> RequestValidator::create(
    const ValidationConfig& config) {
  std::shared_ptr<RequestValidator> v(new RequestValidator());
  v->schema_validation_ = config.schema_validation;
  const std::string_view chat_text = embedded_schema("chat_completions_request");
  if (chat_text.empty()) {
    return make_error(ErrorCode::kInternal, "schema chat_completions_request is not built in");
  }
  auto chat = JsonSchema::compile(chat_text, "chat_completions_request");
  if (!chat) return chat.error();
  v->chat_schema_ = std::move(chat.value());
  auto deny = DenyRules::compile(config.deny_rules);
  if (!deny) return deny.error();
  v->deny_rules_ = std::move(deny.value());
  return std::shared_ptr<const RequestValidator>(std::move(v));
}

Status RequestValidator::check(BodyKind kind, const nlohmann::json& body) const {
  switch (kind) {
    case BodyKind::kChatCompletions:
      if (schema_validation_) {
        if (Status st = chat_schema_->validate(body); !st.ok()) return st;
      }
      return deny_rules_->check(body);
  }
  return {};
}

bool RequestValidator::passes_plain_chat(const providers::ChatRequest& request) const {
  if (!deny_rules_->empty()) return false;
  if (!schema_validation_) return true;
  // The schema's ranges (chat_completions_request.schema.json); max_tokens >= 1 is the reader's.
  const auto within = [](const std::optional<double>& v, double lo, double hi) {
    return !v || (*v >= lo && *v <= hi);
  };
  return within(request.inference.temperature, 0, 2) && within(request.inference.top_p, 0, 1);
}

}  // namespace osprey::gateway::validation
