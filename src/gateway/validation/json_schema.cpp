#include "gateway/validation/json_schema.h"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <limits>
#include <optional>
#include <set>
#include <vector>

#include "core/json_parse.h"

namespace osprey::gateway::validation {
namespace {

using nlohmann::json;

// One step of a path into the body: a property name or an array index.
struct Step {
  std::string name;
  bool index = false;
};

// valijson reports where it failed as ["<root>", "[messages]", "[1]", "[role]"]; whether "[1]" is
// an index or a property named "1" depends on the body, so walk the body alongside. `value`
// receives the body's value at the end of the path (null when the body has none there).
std::vector<Step> steps_of(const std::vector<std::string>& context, const json& body,
                           const json*& value) {
  std::vector<Step> steps;
  const json* node = &body;
  for (std::size_t i = 1; i < context.size(); ++i) {
    const std::string& token = context[i];
    std::string name = token.size() >= 2 && token.front() == '[' && token.back() == ']'
                           ? token.substr(1, token.size() - 2)
                           : token;
    const bool index = node != nullptr && node->is_array();
    if (node != nullptr) {
      if (index) {
        const std::size_t at = std::strtoul(name.c_str(), nullptr, 10);
        node = at < node->size() ? &(*node)[at] : nullptr;
      } else if (node->is_object()) {
        auto it = node->find(name);
        node = it == node->end() ? nullptr : &*it;
      } else {
        node = nullptr;
      }
    }
    steps.push_back({std::move(name), index});
  }
  value = node;
  return steps;
}

std::string path_text(const std::vector<Step>& steps) {
  std::string path;
  for (const Step& s : steps) {
    if (s.index) {
      path += "[" + s.name + "]";
    } else {
      if (!path.empty()) path += '.';
      path += s.name;
    }
  }
  return path;
}

std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    default:
      return "object";
  }
}

// The subschemas that may apply at `steps`, found by following properties/items through $ref,
// allOf, anyOf, oneOf and both branches of if/then/else. Only used to word an error ("must be
// string or array"), so an over-approximation is fine.
class SchemaLookup {
 public:
  explicit SchemaLookup(const json& root) : root_(root) {}

  std::vector<const json*> at(const std::vector<Step>& steps) const {
    std::vector<const json*> current = expand({&root_});
    for (const Step& s : steps) {
      std::vector<const json*> next;
      for (const json* schema : current) {
        if (!schema->is_object()) continue;
        if (s.index) {
          if (auto it = schema->find("items"); it != schema->end()) next.push_back(&*it);
          continue;
        }
        auto props = schema->find("properties");
        if (props != schema->end() && props->is_object() && props->contains(s.name)) {
          next.push_back(&(*props)[s.name]);
        } else if (auto extra = schema->find("additionalProperties");
                   extra != schema->end() && extra->is_object()) {
          next.push_back(&*extra);
        }
      }
      current = expand(next);
    }
    return current;
  }

 private:
  std::vector<const json*> expand(std::vector<const json*> todo) const {
    std::vector<const json*> out;
    std::set<const json*> seen;
    while (!todo.empty()) {
      const json* s = todo.back();
      todo.pop_back();
      if (!s->is_object() || !seen.insert(s).second) continue;
      out.push_back(s);
      if (auto ref = s->find("$ref"); ref != s->end() && ref->is_string()) {
        const std::string pointer = ref->get<std::string>();
        if (pointer.rfind("#/", 0) == 0) {
          const json::json_pointer p(pointer.substr(1));
          if (root_.contains(p)) todo.push_back(&root_.at(p));
        }
      }
      for (const char* key : {"allOf", "anyOf", "oneOf"}) {
        if (auto list = s->find(key); list != s->end() && list->is_array()) {
          for (const json& sub : *list) todo.push_back(&sub);
        }
      }
      for (const char* key : {"then", "else"}) {
        if (auto sub = s->find(key); sub != s->end()) todo.push_back(&*sub);
      }
    }
    return out;
  }

  const json& root_;
};

std::string join_alternatives(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

// The types every candidate schema allows ("null" left out: the client sent something else).
std::string expected_types(const std::vector<const json*>& schemas) {
  std::optional<std::set<std::string>> allowed;
  for (const json* s : schemas) {
    auto type = s->find("type");
    if (type == s->end()) continue;
    std::set<std::string> these;
    if (type->is_string()) these.insert(type->get<std::string>());
    if (type->is_array()) {
      for (const json& t : *type) {
        if (t.is_string()) these.insert(t.get<std::string>());
      }
    }
    if (!allowed) {
      allowed = these;
    } else {
      std::set<std::string> both;
      for (const auto& t : *allowed) {
        if (these.count(t)) both.insert(t);
      }
      allowed = both;
    }
  }
  if (!allowed) return {};
  allowed->erase("null");
  return join_alternatives(std::vector<std::string>(allowed->begin(), allowed->end()));
}

// The allowed values of the failed keyword (`const` or `enum`) among the candidate schemas.
std::string expected_values(const std::vector<const json*>& schemas, bool is_const) {
  for (const json* s : schemas) {
    if (is_const) {
      if (auto c = s->find("const"); c != s->end()) return c->dump();
      continue;
    }
    if (auto e = s->find("enum"); e != s->end() && e->is_array()) {
      std::vector<std::string> values;
      for (const json& v : *e) {
        if (!v.is_null()) values.push_back(v.dump());
      }
      return join_alternatives(values);
    }
  }
  return {};
}

// "2.000000" -> "2", "0.500000" -> "0.5".
std::string trim_number(std::string text) {
  if (text.find('.') == std::string::npos) return text;
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Short client values are quoted back to help the caller; long ones are not worth echoing.
std::string got(const json* value) {
  if (value == nullptr) return {};
  if (value->is_string() && value->get_ref<const std::string&>().size() <= 40) {
    return " (got " + value->dump() + ")";
  }
  if (value->is_number() || value->is_boolean() || value->is_null()) {
    return " (got " + value->dump() + ")";
  }
  return " (got " + type_name(*value) + ")";
}

struct Failure {
  std::vector<Step> steps;
  std::string rule;
  bool missing = false;  // a required property is absent
};

// Words one valijson error as "<rule>", moving "missing property" errors onto the property.
Failure describe(const valijson::ValidationResults::Error& error, const json& body,
                 const SchemaLookup& lookup) {
  const json* value = nullptr;
  Failure f{steps_of(error.context, body, value), {}};
  const std::string& d = error.description;
  if (starts_with(d, "Missing required property '")) {
    const auto end = d.find('\'', 27);
    f.steps.push_back({d.substr(27, end == std::string::npos ? std::string::npos : end - 27)});
    f.rule = "is required";
    f.missing = true;
  } else if (starts_with(d, "Value type not permitted")) {
    const std::string types = expected_types(lookup.at(f.steps));
    f.rule = (types.empty() ? "has the wrong type" : "must be " + types) +
             (value == nullptr ? "" : " (got " + type_name(*value) + ")");
  } else if (starts_with(d, "Failed to match against any enum values") ||
             starts_with(d, "Failed to match expected value set by 'const'")) {
    const bool is_const = starts_with(d, "Failed to match expected value");
    const std::string values = expected_values(lookup.at(f.steps), is_const);
    f.rule = (values.empty() ? "is not an allowed value" : "must be " + values) + got(value);
  } else if (starts_with(d, "Expected number less than or equal to ")) {
    f.rule = "must be at most " + trim_number(d.substr(38)) + got(value);
  } else if (value != nullptr && value->is_number_unsigned() &&
             value->get<std::uint64_t>() > std::numeric_limits<std::int64_t>::max() &&
             starts_with(d, "Expected number greater than")) {
    // valijson reads integers as int64: one beyond that range wraps around to a negative one.
    f.rule =
        "must be at most " + std::to_string(std::numeric_limits<std::int64_t>::max()) + got(value);
  } else if (starts_with(d, "Expected number greater than or equal to ")) {
    f.rule = "must be at least " + trim_number(d.substr(41)) + got(value);
  } else if (starts_with(d, "Expected number less than ")) {
    f.rule = "must be less than " + trim_number(d.substr(26)) + got(value);
  } else if (starts_with(d, "Expected number greater than ")) {
    f.rule = "must be greater than " + trim_number(d.substr(29)) + got(value);
  } else if (starts_with(d, "Array should contain no fewer than ") ||
             starts_with(d, "String should be no fewer than ")) {
    const bool array = d[0] == 'A';
    const std::size_t at = array ? 35 : 31;
    const std::string n = d.substr(at, d.find(' ', at) - at);
    f.rule = n == "1" ? "must not be empty"
                      : "must have at least " + n + (array ? " items" : " characters");
  } else {
    f.rule = d;
    if (!f.rule.empty() && f.rule.back() == '.') f.rule.pop_back();
    if (!f.rule.empty() && f.rule[0] >= 'A' && f.rule[0] <= 'Z') f.rule[0] += 'a' - 'A';
  }
  return f;
}

// Summaries of nested failures ("Failed to validate item #1 in array") say less than the
// failure they summarise, which always sits deeper in the body.
bool is_summary(const std::string& description) {
  return starts_with(description, "Failed to validate");
}

}  // namespace

struct JsonSchema::Impl {
  std::string name;
  json document;  // kept for wording errors
  valijson::Schema schema;
};

JsonSchema::JsonSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonSchema::~JsonSchema() = default;

Result<std::shared_ptr<const JsonSchema>> JsonSchema::compile(std::string_view schema_text,
                                                              std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->document = parse_json(schema_text);
  if (impl->document.is_discarded() || !impl->document.is_object()) {
    return make_error(ErrorCode::kInternal, "schema " + impl->name + ": not a JSON object");
  }
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(impl->document);
    parser.populateSchema(adapter, impl->schema);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "schema " + impl->name + ": " + e.what());
  }
  return std::shared_ptr<const JsonSchema>(new JsonSchema(std::move(impl)));
}

const json& JsonSchema::document() const { return impl_->document; }

Status JsonSchema::validate(const json& body) const {
  valijson::adapters::NlohmannJsonAdapter target(body);
  try {
    // Valid bodies take the fast path, which stops at the first failure and records nothing.
    valijson::Validator fast;
    if (fast.validate(impl_->schema, target, nullptr)) return {};
    valijson::Validator detailed;
    valijson::ValidationResults results;
    detailed.validate(impl_->schema, target, &results);
    const SchemaLookup lookup(impl_->document);
    std::optional<Failure> best;
    for (const auto& error : results) {
      if (is_summary(error.description)) continue;
      Failure f = describe(error, body, lookup);
      // The deepest failure is the most specific; at equal depth a wrong value says more than a
      // missing sibling.
      const bool better = !best || f.steps.size() > best->steps.size() ||
                          (f.steps.size() == best->steps.size() && best->missing && !f.missing);
      if (better) best = std::move(f);
    }
    if (!best) return make_error(ErrorCode::kInvalidRequest, "body: does not match the schema");
    std::string path = path_text(best->steps);
    if (path.empty()) path = "body";
    Error error{ErrorCode::kInvalidRequest, path + ": " + best->rule, path};
    if (path == "body") error.param.clear();
    return error;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "schema " + impl_->name + ": " + e.what());
  }
}

}  // namespace osprey::gateway::validation
