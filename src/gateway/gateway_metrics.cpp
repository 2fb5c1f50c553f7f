#include "gateway/gateway_metrics.h"

namespace osprey::gateway {

GatewayMetrics::GatewayMetrics(metrics::Registry& registry)
    : requests_(registry.counter("osprey_gateway_requests_total",
                                 "Client requests to the OpenAI-compatible API by outcome",
                                 {"route", "stream", "outcome"})) {}

void GatewayMetrics::count(std::string_view route, bool stream, std::string_view outcome) {
  requests_.with({route, stream ? "true" : "false", outcome}).inc();
}

}  // namespace osprey::gateway
