#pragma once
// GatewayOptions: knobs of the OpenAI-compatible routes. Plain values.
#include <chrono>

namespace osprey::gateway {

struct GatewayOptions {
  // Deadline handed to the router for one client request (retries and fallbacks included); the
  // router's own per-model total_deadline may end it sooner.
  std::chrono::milliseconds request_timeout{600'000};
};

}  // namespace osprey::gateway
