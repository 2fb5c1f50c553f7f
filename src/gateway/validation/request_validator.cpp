#include "gateway/validation/request_validator.h"

#include <limits>

#include "gateway/validation/embedded_schemas.h"

namespace osprey::gateway::validation {
namespace {

// The bounds the schema gives the number property `name` (a missing side is unbounded), so
// that the DOM-free path checks exactly what the schema walk would.
NumberRange schema_range(const nlohmann::json& schema, const std::string& name) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  NumberRange range{-kInf, kInf};
  const nlohmann::json::json_pointer at("/properties/" + name);
  if (!schema.contains(at)) return range;
  const nlohmann::json& property = schema.at(at);
  if (auto it = property.find("minimum"); it != property.end() && it->is_number()) {
    range.min = it->get<double>();
  }
  if (auto it = property.find("maximum"); it != property.end() && it->is_number()) {
    range.max = it->get<double>();
  }
  return range;
}

}  // namespace

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
  v->temperature_range_ = schema_range(v->chat_schema_->document(), "temperature");
  v->top_p_range_ = schema_range(v->chat_schema_->document(), "top_p");
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
  // The schema's ranges, read from it by create(); max_tokens >= 1 is the reader's.
  const auto within = [](const std::optional<double>& v, const NumberRange& range) {
    return !v || (*v >= range.min && *v <= range.max);
  };
  return within(request.inference.temperature, temperature_range_) &&
         within(request.inference.top_p, top_p_range_);
}

}  // namespace osprey::gateway::validation
