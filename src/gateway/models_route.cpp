#include "gateway/models_route.h"

#include <nlohmann/json.hpp>

namespace osprey::gateway {

ModelsRoute::ModelsRoute(const router::ModelRouter& router, std::int64_t created)
    : router_(router), created_(created) {}

net::Task<net::Response> ModelsRoute::handle(net::Request& /*request*/,
                                             const Principal& principal) const {
  nlohmann::json data = nlohmann::json::array();
  for (const router::ModelInfo& model : router_.models()) {
    if (!principal.plan.allows_model(model.name)) continue;
    data.push_back(
        {{"id", model.name}, {"object", "model"}, {"created", created_}, {"owned_by", "osprey"}});
  }
  nlohmann::json body = {{"object", "list"}, {"data", std::move(data)}};
  co_return net::Response::json(200, body.dump());
}

}  // namespace osprey::gateway
