#include "gateway/validation/deny_rules.h"

#include <re2/re2.h>

#include "gateway/validation/prompt_text.h"

namespace osprey::gateway::validation {

struct DenyRules::Impl {
  struct Compiled {
    std::string name;
    std::unique_ptr<RE2> re;
  };
  std::vector<Compiled> rules;
};

DenyRules::DenyRules(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DenyRules::~DenyRules() = default;

Result<std::shared_ptr<const DenyRules>> DenyRules::compile(const std::vector<DenyRule>& rules) {
  auto impl = std::make_unique<Impl>();
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const DenyRule& rule = rules[i];
    RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(!rule.case_insensitive);
    auto re = std::make_unique<RE2>(rule.pattern, options);
    if (!re->ok()) {
      return make_error(ErrorCode::kConfigInvalid, "validation.deny_rules[" + std::to_string(i) +
                                                       "].pattern: rule \"" + rule.name +
                                                       "\": invalid RE2 pattern: " + re->error());
    }
    impl->rules.push_back({rule.name, std::move(re)});
  }
  return std::shared_ptr<const DenyRules>(new DenyRules(std::move(impl)));
}

bool DenyRules::empty() const { return impl_->rules.empty(); }

Status DenyRules::check(const nlohmann::json& body) const {
  if (impl_->rules.empty()) return {};
  const std::vector<PromptPart> parts = prompt_text(body);
  for (const auto& rule : impl_->rules) {
    for (const PromptPart& part : parts) {
      if (!RE2::PartialMatch(re2::StringPiece(part.text.data(), part.text.size()), *rule.re)) {
        continue;
      }
      const std::string param = "messages[" + std::to_string(part.message) + "]";
      return Error{ErrorCode::kContentDenied,
                   "the prompt was rejected by deny rule \"" + rule.name + "\" (in " + param + ")",
                   param};
    }
  }
  return {};
}

}  // namespace osprey::gateway::validation
