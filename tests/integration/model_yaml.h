#pragma once
// fake_model_yaml(): the `models:` section most integration tests start the server with: one
// public model served by one OpenAI-compatible deployment (a fake upstream), health checks off.
#include <string>

namespace osprey::testing {

// "models:" with model `name` whose one deployment `<name>@fake` calls `upstream_model` at
// `base_url`. `model_extra`: more keys of the model, each line indented four spaces
// ("    retry: {max_attempts: 1}\n").
inline std::string fake_model_yaml(const std::string& name, const std::string& base_url,
                                   const std::string& upstream_model,
                                   const std::string& model_extra = "") {
  return "models:\n"
         "  - name: " +
         name +
         "\n"
         "    health: {enabled: false}\n" +
         model_extra +
         "    deployments:\n"
         "      - id: " +
         name +
         "@fake\n"
         "        adapter: openai\n"
         "        base_url: " +
         base_url +
         "\n"
         "        model: " +
         upstream_model + "\n";
}

}  // namespace osprey::testing
