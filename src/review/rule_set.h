#pragma once
// RuleSet: a code-review rules file in code-expert's format (languages with default include and
// exclude globs, categories with `exists` globs, rules with `rule`, `ruleDesc` and optional
// `patterns`, `contextPatterns`, `excludePatterns`), parsed and checked once. Globs are compiled
// here, so a bad one is reported with the path of its field. Immutable after parsing.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "review/glob.h"

namespace osprey::review {

struct Language {
  std::string name;
  std::vector<Glob> default_patterns;          // required, non-empty
  std::vector<Glob> default_exclude_patterns;  // optional
};

struct Category {
  std::string name;
  std::vector<std::string> languages;  // names of defined languages; required, non-empty
  std::vector<Glob> exists;            // each must match some file for the category to apply
  std::vector<Glob> default_patterns;  // optional: overrides the language's
  std::vector<Glob> default_exclude_patterns;
};

struct Rule {
  std::string id;  // `rule`; a number in the file becomes its decimal text
  std::string description;
  std::string category;
  std::string language;
  std::vector<Glob> patterns;  // optional: overrides the category's and the language's
  std::vector<Glob> context_patterns;
  std::vector<Glob> exclude_patterns;
};

struct RuleSet {
  std::vector<Language> languages;
  std::vector<Category> categories;
  std::vector<Rule> rules;

  const Language* language(std::string_view name) const;
  const Category* category(std::string_view name) const;
  const Rule* rule(std::string_view id) const;
};

// kInvalidRequest with a message starting with the path of the bad field, e.g.
// `rules[2].ruleDesc: must be a non-empty string` or `languages[0].defaultPatterns[1]: unterminated
// '[' in glob "src/[a"`. Unknown keys are ignored (the format may grow).
Result<RuleSet> parse_rule_set(const nlohmann::json& doc);
// The same from text; a JSON syntax error names its byte offset.
Result<RuleSet> parse_rule_set_text(std::string_view text);

}  // namespace osprey::review
