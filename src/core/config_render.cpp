// render_config and secret_values: the effective configuration as YAML with secrets masked.
#include <algorithm>
#include <array>

#include "core/config.h"
#include "core/config_schema.h"

namespace osprey {
namespace {

constexpr std::string_view kMask = "********";

std::string yaml_quoted(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

// Section keys that look like credentials are masked too: sections are free-form, and a secret
// pasted there must not be echoed by `osprey config print`.
bool looks_secret(std::string_view key) {
  static constexpr std::array<std::string_view, 6> kSuffixes = {
      "api_key", "password", "secret", "secret_key", "token", "encryption_key"};
  return std::any_of(kSuffixes.begin(), kSuffixes.end(),
                     [&](std::string_view s) { return key.ends_with(s); });
}

void collect_section_secrets(const nlohmann::json& node, std::vector<std::string>* out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (looks_secret(key) && value.is_string() && !value.get<std::string>().empty()) {
        out->push_back(value.get<std::string>());
      }
      collect_section_secrets(value, out);
    }
  } else if (node.is_array()) {
    for (const auto& item : node) collect_section_secrets(item, out);
  }
}

nlohmann::json masked(const nlohmann::json& node) {
  if (node.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : node) out.push_back(masked(item));
    return out;
  }
  if (!node.is_object()) return node;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : node.items()) {
    const bool hide = looks_secret(key) && value.is_string() && !value.get<std::string>().empty();
    out[key] = hide ? nlohmann::json(kMask) : masked(value);
  }
  return out;
}

}  // namespace

std::string render_config(const Config& config) {
  std::string out = "# Osprey effective configuration";
  out +=
      config.config_file.empty() ? " (no config file)\n" : " (file: " + config.config_file + ")\n";
  std::string group;
  for (const auto& spec : config_schema::key_specs()) {
    const std::string& name = spec.key.name;
    const auto dot = name.find('.');
    const std::string prefix = dot == std::string::npos ? "" : name.substr(0, dot);
    if (prefix != group) {
      group = prefix;
      if (!group.empty()) out += group + ":\n";
    }
    std::string value = spec.get(config);
    if (spec.key.secret && !value.empty()) value = kMask;
    out += group.empty() ? "" : "  ";
    out += (dot == std::string::npos ? name : name.substr(dot + 1)) + ": ";
    out += spec.is_string ? yaml_quoted(value) : value;
    out += "\n";
  }
  // JSON is valid YAML flow style, so sections round-trip through load_config.
  for (const auto& [name, value] : config.sections.items()) {
    out += name + ": " +
           masked(value).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return out;
}

std::vector<std::string> secret_values(const Config& config) {
  std::vector<std::string> out;
  for (const auto& spec : config_schema::key_specs()) {
    if (!spec.key.secret) continue;
    std::string value = spec.get(config);
    if (!value.empty()) out.push_back(std::move(value));
  }
  collect_section_secrets(config.sections, &out);
  return out;
}

}  // namespace osprey
