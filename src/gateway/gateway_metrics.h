#pragma once
// GatewayMetrics: the client-facing counters of the OpenAI-compatible routes (one request = one
// count, whatever the router retried underneath). Thread-safe: the families are lock-free.
#include <string_view>

#include "core/metrics.h"

namespace osprey::gateway {

class GatewayMetrics {
 public:
  explicit GatewayMetrics(metrics::Registry& registry);

  // `outcome`: "ok", "error" (answered with an error status), "stream_failed" (the upstream
  // failed after the stream began) or "client_closed".
  void count(std::string_view route, bool stream, std::string_view outcome);

 private:
  metrics::Family<metrics::Counter>& requests_;
};

}  // namespace osprey::gateway
