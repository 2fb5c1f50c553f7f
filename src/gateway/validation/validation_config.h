#pragma once
// The `validation` section of the configuration: request-body schemas, deny rules and PII
// redaction of logs (docs/security.md). Parsed once at start-up; errors are one line naming the
// key, like every config error.
//
//   validation:
//     schema_validation: true          # check /v1 bodies against the built-in JSON Schemas
//     deny_rules:                      # RE2 patterns over the prompt text
//       - {name: no-secrets, pattern: "BEGIN (RSA|EC) PRIVATE KEY", case_insensitive: false}
//     redact_pii: true                 # e-mails, phones, card numbers out of the logs
//     redact_patterns:                 # extra RE2 patterns redacted from the logs
//       - {name: employee_id, pattern: "EMP-[0-9]{6}"}
#include <vector>

#include <nlohmann/json.hpp>

#include "core/pii_redactor.h"
#include "core/result.h"
#include "gateway/validation/deny_rules.h"

namespace osprey::gateway::validation {

struct ValidationConfig {
  bool schema_validation = true;
  std::vector<DenyRule> deny_rules;
  bool redact_pii = true;
  std::vector<RedactPattern> redact_patterns;
};

// Reads `sections["validation"]` (absent or null: the defaults). Patterns are compiled here once
// so that a bad one fails the start-up with its key ("validation.deny_rules[1].pattern: ...").
Result<ValidationConfig> parse_validation_config(const nlohmann::json& sections);

// The log redactor this configuration asks for (null when redact_pii is off and no extra
// pattern is set).
Result<std::shared_ptr<const PiiRedactor>> make_log_redactor(const ValidationConfig& config);

}  // namespace osprey::gateway::validation
