#pragma once
// DenyRules: operator-configured regular expressions (RE2, linear time, no backtracking blow-up)
// matched against the prompt text of a request. The first rule that matches rejects the request
// with 400 `content_denied` naming the rule; the matched text is never echoed back or logged.
// Compiled once from the config; check() is const and thread-safe.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey::gateway::validation {

struct DenyRule {
  std::string name;
  std::string pattern;  // RE2 syntax, unanchored (matches anywhere in a text part)
  bool case_insensitive = false;
};

class DenyRules {
 public:
  // Fails (kConfigInvalid) with "validation.deny_rules[<i>].pattern: ..." when a pattern does
  // not compile.
  static Result<std::shared_ptr<const DenyRules>> compile(const std::vector<DenyRule>& rules);
  ~DenyRules();
  DenyRules(const DenyRules&) = delete;
  DenyRules& operator=(const DenyRules&) = delete;

  bool empty() const;
  // kContentDenied when a rule matches the prompt text of the chat request `body`; param names
  // the message ("messages[2]").
  Status check(const nlohmann::json& body) const;

 private:
  struct Impl;
  explicit DenyRules(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace osprey::gateway::validation
