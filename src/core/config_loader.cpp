// load_config: merges defaults, the YAML file, the environment and flag overrides, in that order,
// through the one key table in config_schema.cpp so every source gets the same validation.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "core/config.h"
#include "core/config_schema.h"
#include "core/json_parse.h"
#include "core/yaml_to_json.h"

extern char** environ;

namespace osprey {
namespace {

using config_schema::KeySpec;

constexpr std::string_view kFileSuffix = "_file";

Error config_error(const std::string& key, const std::string& what, const std::string& origin) {
  std::string msg = "config: " + key + ": " + what;
  if (!origin.empty()) msg += " [" + origin + "]";
  return make_error(ErrorCode::kConfigInvalid, std::move(msg));
}

// Quoted, escaped and shortened so the message stays one readable line.
std::string quote_value(const std::string& text) {
  constexpr std::size_t kMax = 120;
  std::string shown = text.size() > kMax ? text.substr(0, kMax) + "..." : text;
  return nlohmann::json(shown).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool is_section(std::string_view name) {
  const auto& names = config_section_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool is_group(std::string_view name) {
  for (const auto& spec : config_schema::key_specs()) {
    const auto& key = spec.key.name;
    if (key.size() > name.size() && key.compare(0, name.size(), name) == 0 &&
        key[name.size()] == '.') {
      return true;
    }
  }
  return false;
}

// The secret key that `name` supplies by file ("secrets.encryption_key_file"), or null.
const KeySpec* secret_file_target(std::string_view name) {
  if (name.size() <= kFileSuffix.size() || !name.ends_with(kFileSuffix)) return nullptr;
  const KeySpec* spec = config_schema::find_key(name.substr(0, name.size() - kFileSuffix.size()));
  return spec != nullptr && spec->key.secret ? spec : nullptr;
}

Result<std::string> read_secret_file(const std::string& key, const std::string& path,
                                     const std::string& origin) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return config_error(key, "cannot read " + quote_value(path) + ": " + std::strerror(errno),
                        origin);
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string value = content.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) return config_error(key, "file " + quote_value(path) + " is empty", origin);
  return value;
}

// Applies one source layer; remembers which secrets this layer set so a secret given both inline
// and by file in the same layer is reported instead of silently picking one.
class LayerApplier {
 public:
  LayerApplier(Config* config, std::string layer) : config_(config), layer_(std::move(layer)) {}

  // Sets `name` (a scalar key or a secret's *_file key) from `text`.
  Status apply(const std::string& name, const std::string& text, const std::string& origin) {
    if (const KeySpec* target = secret_file_target(name)) {
      auto value = read_secret_file(name, text, origin);
      if (!value.ok()) return value.error();
      return set(*target, *value, origin);
    }
    const KeySpec* spec = config_schema::find_key(name);
    if (spec == nullptr) return config_error(name, "unknown key", origin);
    return set(*spec, text, origin);
  }

 private:
  Status set(const KeySpec& spec, const std::string& text, const std::string& origin) {
    if (spec.key.secret && !secrets_set_.insert(spec.key.name).second) {
      return config_error(
          spec.key.name,
          "given twice in the " + layer_ + " (inline and via " + spec.key.name + "_file); keep one",
          origin);
    }
    if (auto violated = spec.set(*config_, text)) {
      // Never echo a secret's value into an error message (it would reach the logs).
      return config_error(
          spec.key.name,
          spec.key.secret ? *violated : *violated + " (got " + quote_value(text) + ")", origin);
    }
    return {};
  }

  Config* config_;
  std::string layer_;
  std::set<std::string> secrets_set_;
};

std::string scalar_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

// "file osprey.yaml:12", the place a key was written.
std::string file_origin(const YamlDocument& doc, const std::string& file, const std::string& key) {
  std::string origin = "file ";
  origin += file;
  if (auto line = doc.key_lines.find(key); line != doc.key_lines.end()) {
    origin += ':';
    origin += std::to_string(line->second);
  }
  return origin;
}

// A secret given inline where only its env variable or *_file form is taken.
Error inline_secret_error(const KeySpec& spec, std::string_view where, const std::string& origin) {
  return config_error(spec.key.name,
                      "secrets may not be " + std::string(where) + "; set " + spec.key.env +
                          " or " + spec.key.name + "_file instead",
                      origin);
}

Status apply_yaml_value(LayerApplier& applier, const std::string& key, const nlohmann::json& value,
                        const YamlDocument& doc, const std::string& file) {
  const std::string origin = file_origin(doc, file, key);
  const KeySpec* spec = config_schema::find_key(key);
  if (spec == nullptr && secret_file_target(key) == nullptr) {
    return config_error(key, "unknown key '" + key + "'", origin);
  }
  if (spec != nullptr && spec->key.secret)
    return inline_secret_error(*spec, "written in the config file", origin);
  if (value.is_object() || value.is_array()) {
    return config_error(key, "must be a single value, not a mapping or list", origin);
  }
  return applier.apply(key, scalar_text(value), origin);
}

Status apply_yaml(Config& config, const std::string& file) {
  auto doc = load_yaml_file(file);
  if (!doc.ok()) return doc.error();
  LayerApplier applier(&config, "config file");
  for (const auto& [name, value] : doc->root.items()) {
    if (is_section(name)) {
      config.sections[name] = value;
    } else if (is_group(name)) {
      if (!value.is_object()) {
        return config_error(name, "must be a mapping of keys", file_origin(*doc, file, name));
      }
      for (const auto& [child, child_value] : value.items()) {
        auto status = apply_yaml_value(applier, name + "." + child, child_value, *doc, file);
        if (!status.ok()) return status;
      }
    } else {
      auto status = apply_yaml_value(applier, name, value, *doc, file);
      if (!status.ok()) return status;
    }
  }
  return {};
}

Status apply_env(Config& config, const std::map<std::string, std::string>& env) {
  LayerApplier applier(&config, "environment");
  for (const auto& spec : config_schema::key_specs()) {
    if (auto it = env.find(spec.key.env); it != env.end()) {
      auto status = applier.apply(spec.key.name, it->second, "env " + spec.key.env);
      if (!status.ok()) return status;
    }
    if (!spec.key.secret) continue;
    const std::string file_env = spec.key.env + "_FILE";
    if (auto it = env.find(file_env); it != env.end()) {
      auto status = applier.apply(spec.key.name + "_file", it->second, "env " + file_env);
      if (!status.ok()) return status;
    }
  }
  return {};
}

// "--set cache.max_entries=100": stored in the section, typed like a YAML scalar or JSON value.
Status set_section_value(Config& config, const std::string& key, const std::string& text) {
  nlohmann::json* node = &config.sections;
  std::string_view rest = key;
  while (true) {
    const auto dot = rest.find('.');
    const std::string part(rest.substr(0, dot));
    if (part.empty()) return config_error(key, "empty path segment", "flag");
    if (!node->is_object()) *node = nlohmann::json::object();
    node = &(*node)[part];
    if (dot == std::string_view::npos) break;
    rest = rest.substr(dot + 1);
  }
  nlohmann::json value = parse_json(text);
  *node = value.is_discarded() ? nlohmann::json(text) : std::move(value);
  return {};
}

Status apply_overrides(Config& config,
                       const std::vector<std::pair<std::string, std::string>>& overrides) {
  LayerApplier applier(&config, "command line");
  for (const auto& [key, value] : overrides) {
    const std::string head = key.substr(0, key.find('.'));
    if (is_section(head) && key.size() > head.size()) {
      auto status = set_section_value(config, key, value);
      if (!status.ok()) return status;
      continue;
    }
    // A secret on the command line is readable by every local user (ps, /proc): like the
    // config file, the flags take only its *_file form.
    if (const KeySpec* spec = config_schema::find_key(key); spec != nullptr && spec->key.secret) {
      return inline_secret_error(*spec, "given on the command line", "flag");
    }
    auto status = applier.apply(key, value, "flag");
    if (!status.ok()) return status;
  }
  return {};
}

}  // namespace

Result<Config> load_config(const ConfigSources& sources) {
  Config config;
  std::string file = sources.file;
  if (file.empty()) {
    if (auto it = sources.env.find("OSPREY_CONFIG"); it != sources.env.end()) file = it->second;
  }
  if (!file.empty()) {
    auto status = apply_yaml(config, file);
    if (!status.ok()) return status.error();
    config.config_file = file;
  }
  if (auto status = apply_env(config, sources.env); !status.ok()) return status.error();
  if (auto status = apply_overrides(config, sources.overrides); !status.ok()) {
    return status.error();
  }
  if (config.store.url.empty()) config.store.url = "sqlite:" + config.data_dir + "/osprey.db";
  return config;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return out;
}

}  // namespace osprey
