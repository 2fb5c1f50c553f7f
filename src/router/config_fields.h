#pragma once
// ConfigFields: reads the keys of one YAML/JSON object of the `models:` section, with the key
// path of every error ("models[0].deployments[1].weight: must be > 0") and a check that no
// unknown key was left unread. The first error wins; later reads return their defaults, so a
// parser can read a whole object straight through and check ok() once at the end.
// Not thread-safe (one parse owns it).
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey::router {

// Holds the first error of one whole parse; shared by every ConfigFields of that parse.
struct ConfigErrors {
  std::optional<Error> first;
  bool ok() const { return !first.has_value(); }
  void fail(const std::string& path, const std::string& message);
};

class ConfigFields {
 public:
  // `node` must outlive this object. A node that is not an object is reported at `path`.
  ConfigFields(const nlohmann::json& node, std::string path, ConfigErrors& errors);

  const std::string& path() const { return path_; }
  std::string key_path(const std::string& key) const;
  bool has(const std::string& key) const;
  void fail(const std::string& key, const std::string& message);

  std::string string(const std::string& key, std::string fallback = {});
  bool boolean(const std::string& key, bool fallback);
  // Integers in [min, max]; a fractional number is an error.
  int integer(const std::string& key, int fallback, int min, int max);
  double number(const std::string& key, double fallback);
  std::chrono::milliseconds millis(const std::string& key, std::chrono::milliseconds fallback,
                                   std::int64_t min_ms);
  std::map<std::string, std::string> string_map(const std::string& key);
  // Null when absent; reports a wrong type.
  const nlohmann::json* object(const std::string& key);
  const nlohmann::json* list(const std::string& key);
  // Marks a key as known without reading it (read elsewhere).
  void consume(const std::string& key) { seen_.insert(key); }

  // Reports the first key that no read consumed.
  void reject_unknown();

 private:
  const nlohmann::json* find(const std::string& key);

  const nlohmann::json& node_;
  std::string path_;
  ConfigErrors& errors_;
  std::set<std::string> seen_;
};

}  // namespace osprey::router
