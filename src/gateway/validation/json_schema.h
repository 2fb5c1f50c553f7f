#pragma once
// JsonSchema: one compiled JSON Schema (draft 7, valijson) that checks request bodies. A failure
// names the most specific field at fault as a path in the body ("messages[1].role") and the
// rule it broke; the path is also returned as Error::param (OpenAI's error "param").
// Compiled once at start-up; validate() is const and thread-safe.
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey::gateway::validation {

class JsonSchema {
 public:
  // `name` appears in errors about the schema itself (kInternal: the schema is ours).
  static Result<std::shared_ptr<const JsonSchema>> compile(std::string_view schema_text,
                                                           std::string name);
  ~JsonSchema();
  JsonSchema(const JsonSchema&) = delete;
  JsonSchema& operator=(const JsonSchema&) = delete;

  // kInvalidRequest "<path>: <rule>" with param = <path> when `body` does not conform.
  Status validate(const nlohmann::json& body) const;
  // The schema document as compiled (for callers that read a bound or a list from it).
  const nlohmann::json& document() const;

 private:
  struct Impl;
  explicit JsonSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace osprey::gateway::validation
