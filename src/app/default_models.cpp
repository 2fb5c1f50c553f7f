#include "app/default_models.h"

#include "maze/agents/local_provider.h"

namespace osprey::app {

nlohmann::json with_default_models(nlohmann::json sections) {
  if (!sections.is_object()) sections = nlohmann::json::object();
  if (!sections.contains("models") || sections.at("models").is_null()) {
    sections["models"] = maze::default_models_section();
  }
  return sections;
}

}  // namespace osprey::app
