#include "review/rule_set.h"

#include "core/json_parse.h"

namespace osprey::review {
namespace {

using nlohmann::json;

Error field_error(const std::string& path, const std::string& message) {
  return make_error(ErrorCode::kInvalidRequest, path + ": " + message);
}

Result<std::string> required_string(const json& obj, const std::string& path, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return field_error(path + "." + key, "is required");
  if (!it->is_string() || it->get<std::string>().empty()) {
    return field_error(path + "." + key, "must be a non-empty string");
  }
  return it->get<std::string>();
}

// An optional array of strings (absent: empty); `required` makes absence and [] errors.
Result<std::vector<std::string>> string_list(const json& obj, const std::string& path,
                                             const char* key, bool required) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  const std::string here = path + "." + key;
  if (it == obj.end() || it->is_null()) {
    if (required) return field_error(here, "is required");
    return out;
  }
  if (!it->is_array()) return field_error(here, "must be an array of strings");
  if (required && it->empty()) return field_error(here, "must not be empty");
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    if (!v.is_string() || v.get<std::string>().empty()) {
      return field_error(here + "[" + std::to_string(i) + "]", "must be a non-empty string");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::vector<Glob>> glob_list(const json& obj, const std::string& path, const char* key,
                                    bool required) {
  auto texts = string_list(obj, path, key, required);
  if (!texts) return texts.error();
  std::vector<Glob> globs;
  for (std::size_t i = 0; i < texts->size(); ++i) {
    auto glob = Glob::compile((*texts)[i]);
    if (!glob) {
      return field_error(path + "." + key + "[" + std::to_string(i) + "]", glob.error().message);
    }
    globs.push_back(std::move(glob.value()));
  }
  return globs;
}

const json* section(const json& doc, const char* key, Status& status) {
  auto it = doc.find(key);
  if (it == doc.end()) {
    status = field_error(key, "is required");
    return nullptr;
  }
  if (!it->is_array()) {
    status = field_error(key, "must be an array");
    return nullptr;
  }
  return &*it;
}

Result<Language> parse_language(const json& j, const std::string& path) {
  if (!j.is_object()) return field_error(path, "must be an object");
  Language lang;
  auto name = required_string(j, path, "name");
  if (!name) return name.error();
  lang.name = std::move(name.value());
  auto include = glob_list(j, path, "defaultPatterns", true);
  if (!include) return include.error();
  lang.default_patterns = std::move(include.value());
  auto exclude = glob_list(j, path, "defaultExcludePatterns", false);
  if (!exclude) return exclude.error();
  lang.default_exclude_patterns = std::move(exclude.value());
  return lang;
}

Result<Category> parse_category(const json& j, const std::string& path, const RuleSet& set) {
  if (!j.is_object()) return field_error(path, "must be an object");
  Category cat;
  auto name = required_string(j, path, "name");
  if (!name) return name.error();
  cat.name = std::move(name.value());
  auto langs = string_list(j, path, "languages", true);
  if (!langs) return langs.error();
  for (std::size_t i = 0; i < langs->size(); ++i) {
    if (set.language((*langs)[i]) == nullptr) {
      return field_error(path + ".languages[" + std::to_string(i) + "]",
                         "unknown language \"" + (*langs)[i] + "\"");
    }
  }
  cat.languages = std::move(langs.value());
  for (auto [key, target] :
       {std::pair{"exists", &cat.exists}, std::pair{"defaultPatterns", &cat.default_patterns},
        std::pair{"defaultExcludePatterns", &cat.default_exclude_patterns}}) {
    auto globs = glob_list(j, path, key, false);
    if (!globs) return globs.error();
    *target = std::move(globs.value());
  }
  return cat;
}

Result<Rule> parse_rule(const json& j, const std::string& path, const RuleSet& set) {
  if (!j.is_object()) return field_error(path, "must be an object");
  Rule rule;
  auto id = j.find("rule");
  if (id == j.end()) return field_error(path + ".rule", "is required");
  if (id->is_number_integer()) {
    rule.id = std::to_string(id->get<long long>());
  } else if (id->is_string() && !id->get<std::string>().empty()) {
    rule.id = id->get<std::string>();
  } else {
    return field_error(path + ".rule", "must be a non-empty string or an integer");
  }
  auto desc = required_string(j, path, "ruleDesc");
  if (!desc) return desc.error();
  rule.description = std::move(desc.value());
  auto category = required_string(j, path, "category");
  if (!category) return category.error();
  if (set.category(*category) == nullptr) {
    return field_error(path + ".category", "unknown category \"" + *category + "\"");
  }
  rule.category = std::move(category.value());
  auto language = required_string(j, path, "language");
  if (!language) return language.error();
  if (set.language(*language) == nullptr) {
    return field_error(path + ".language", "unknown language \"" + *language + "\"");
  }
  rule.language = std::move(language.value());
  for (auto [key, target] :
       {std::pair{"patterns", &rule.patterns}, std::pair{"contextPatterns", &rule.context_patterns},
        std::pair{"excludePatterns", &rule.exclude_patterns}}) {
    auto globs = glob_list(j, path, key, false);
    if (!globs) return globs.error();
    *target = std::move(globs.value());
  }
  return rule;
}

}  // namespace

const Language* RuleSet::language(std::string_view name) const {
  for (const Language& l : languages) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

const Category* RuleSet::category(std::string_view name) const {
  for (const Category& c : categories) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const Rule* RuleSet::rule(std::string_view id) const {
  for (const Rule& r : rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

Result<RuleSet> parse_rule_set(const json& doc) {
  if (!doc.is_object())
    return make_error(ErrorCode::kInvalidRequest, "rules file: must be a JSON object");
  RuleSet set;
  Status status;
  const json* languages = section(doc, "languages", status);
  if (languages == nullptr) return status.error();
  for (std::size_t i = 0; i < languages->size(); ++i) {
    const std::string path = "languages[" + std::to_string(i) + "]";
    auto lang = parse_language((*languages)[i], path);
    if (!lang) return lang.error();
    if (set.language(lang->name) != nullptr) {
      return field_error(path + ".name", "duplicate language \"" + lang->name + "\"");
    }
    set.languages.push_back(std::move(lang.value()));
  }
  const json* categories = section(doc, "categories", status);
  if (categories == nullptr) return status.error();
  for (std::size_t i = 0; i < categories->size(); ++i) {
    const std::string path = "categories[" + std::to_string(i) + "]";
    auto cat = parse_category((*categories)[i], path, set);
    if (!cat) return cat.error();
    if (set.category(cat->name) != nullptr) {
      return field_error(path + ".name", "duplicate category \"" + cat->name + "\"");
    }
    set.categories.push_back(std::move(cat.value()));
  }
  const json* rules = section(doc, "rules", status);
  if (rules == nullptr) return status.error();
  for (std::size_t i = 0; i < rules->size(); ++i) {
    const std::string path = "rules[" + std::to_string(i) + "]";
    auto rule = parse_rule((*rules)[i], path, set);
    if (!rule) return rule.error();
    if (set.rule(rule->id) != nullptr) {
      return field_error(path + ".rule", "duplicate rule \"" + rule->id + "\"");
    }
    set.rules.push_back(std::move(rule.value()));
  }
  return set;
}

Result<RuleSet> parse_rule_set_text(std::string_view text) {
  if (json_nesting_exceeds(text)) {
    return make_error(ErrorCode::kInvalidRequest, "rules file: " + json_refusal(text));
  }
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return make_error(ErrorCode::kInvalidRequest,
                      "rules file: not JSON (at byte " + std::to_string(e.byte) + ")");
  }
  return parse_rule_set(doc);
}

}  // namespace osprey::review
