#include "gateway/validation/validation_config.h"

#include <re2/re2.h>

#include <set>

#include "router/config_fields.h"

namespace osprey::gateway::validation {
namespace {

using router::ConfigErrors;
using router::ConfigFields;

// Reads a list of {name, pattern[, case_insensitive]} objects; names must be unique and
// patterns must compile.
template <class Item>
std::vector<Item> parse_patterns(ConfigFields& section, const std::string& key, bool allow_case,
                                 ConfigErrors& errors) {
  std::vector<Item> items;
  const nlohmann::json* list = section.list(key);
  if (list == nullptr) return items;
  std::set<std::string> names;
  for (std::size_t i = 0; i < list->size() && errors.ok(); ++i) {
    ConfigFields f((*list)[i], section.key_path(key) + "[" + std::to_string(i) + "]", errors);
    Item item;
    item.name = f.string("name");
    item.pattern = f.string("pattern");
    bool case_insensitive = false;
    if (allow_case) case_insensitive = f.boolean("case_insensitive", false);
    f.reject_unknown();
    if (!errors.ok()) break;
    if (item.name.empty()) {
      f.fail("name", "is required");
    } else if (!names.insert(item.name).second) {
      f.fail("name", "duplicate rule name \"" + item.name + "\"");
    } else if (item.pattern.empty()) {
      f.fail("pattern", "is required");
    } else {
      RE2::Options options;
      options.set_log_errors(false);
      options.set_case_sensitive(!case_insensitive);
      RE2 re(item.pattern, options);
      if (!re.ok()) {
        f.fail("pattern", "rule \"" + item.name + "\": invalid RE2 pattern: " + re.error());
      }
    }
    if constexpr (requires { item.case_insensitive; }) item.case_insensitive = case_insensitive;
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace

Result<ValidationConfig> parse_validation_config(const nlohmann::json& sections) {
  ValidationConfig config;
  if (!sections.is_object() || !sections.contains("validation") ||
      sections.at("validation").is_null()) {
    return config;
  }
  ConfigErrors errors;
  ConfigFields f(sections.at("validation"), "validation", errors);
  config.schema_validation = f.boolean("schema_validation", config.schema_validation);
  config.redact_pii = f.boolean("redact_pii", config.redact_pii);
  config.deny_rules = parse_patterns<DenyRule>(f, "deny_rules", true, errors);
  config.redact_patterns = parse_patterns<RedactPattern>(f, "redact_patterns", false, errors);
  f.reject_unknown();
  if (errors.first) return *errors.first;
  return config;
}

Result<std::shared_ptr<const PiiRedactor>> make_log_redactor(const ValidationConfig& config) {
  if (!config.redact_pii && config.redact_patterns.empty()) {
    return std::shared_ptr<const PiiRedactor>();
  }
  return PiiRedactor::create({.builtin = config.redact_pii, .extra = config.redact_patterns});
}

}  // namespace osprey::gateway::validation
