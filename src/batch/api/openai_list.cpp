#include "batch/api/batch_routes.h"

namespace osprey::batch {

nlohmann::json openai_list(nlohmann::json data, bool has_more) {
  nlohmann::json first = data.empty() ? nlohmann::json() : data.front()["id"];
  nlohmann::json last = data.empty() ? nlohmann::json() : data.back()["id"];
  return {{"object", "list"},
          {"data", std::move(data)},
          {"first_id", std::move(first)},
          {"last_id", std::move(last)},
          {"has_more", has_more}};
}

}  // namespace osprey::batch
