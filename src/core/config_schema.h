#pragma once
// Internal to the config loader: the table of scalar keys, each with its parser/validator and its
// renderer. Adding a key means adding one row in config_schema.cpp. Immutable; thread-safe.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"

namespace osprey::config_schema {

struct KeySpec {
  ConfigKey key;
  // Parses `text` into `config`; returns the violated rule ("must be ...") on failure.
  std::function<std::optional<std::string>(Config&, const std::string& text)> set;
  // The current value as text (unquoted).
  std::function<std::string(const Config&)> get;
  bool is_string = false;  // rendered quoted
};

const std::vector<KeySpec>& key_specs();
const KeySpec* find_key(std::string_view name);

}  // namespace osprey::config_schema
