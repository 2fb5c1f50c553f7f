#pragma once
// RoutedEventReader: the stream handed to the caller once a deployment produced its first
// event. Replays that event, then delegates to the provider's reader; keeps the request counted
// as outstanding on its deployment until the stream ends; records a mid-stream failure on the
// deployment's breaker and metrics (such a failure is never retried: the caller already has
// bytes). Thread-safety: one reader per call, used by one coroutine at a time.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "providers/provider.h"
#include "router/deployment.h"
#include "router/outstanding_guard.h"
#include "router/router_metrics.h"

namespace osprey::router {

class RoutedEventReader final : public providers::ChatEventReader {
 public:
  // `first` is the already-read first event (nullopt if the stream ended before any event).
  // `started` is when the attempt began (for the duration metric).
  RoutedEventReader(std::unique_ptr<providers::ChatEventReader> inner,
                    std::optional<providers::StreamEvent> first,
                    std::shared_ptr<Deployment> deployment, OutstandingGuard outstanding,
                    std::string request_id, const Clock& clock,
                    std::chrono::steady_clock::time_point started);
  ~RoutedEventReader() override;

  net::Task<providers::UpstreamResult<std::optional<providers::StreamEvent>>> next() override;
  bool ready() override { return first_pending_ || (!finished_ && inner_->ready()); }

 private:
  void note_usage(const providers::StreamEvent& event);
  // Counts the stream once, with outcome "success", "error" or "cancelled".
  void finish(std::string_view outcome);

  std::unique_ptr<providers::ChatEventReader> inner_;
  std::optional<providers::StreamEvent> first_;
  bool first_pending_ = true;
  bool inner_ended_ = false;  // the first read already saw the end of the stream
  std::shared_ptr<Deployment> deployment_;
  OutstandingGuard outstanding_;
  std::string request_id_;
  const Clock& clock_;
  std::chrono::steady_clock::time_point started_;
  bool finished_ = false;
  // The breaker's state when the stream was handed out: a later break counts against the
  // deployment only if the breaker has not moved on since (see CircuitBreaker::generation).
  std::uint64_t breaker_generation_ = 0;
  // Vendors report usage in one or several events, cumulative; keep the highest seen.
  std::int64_t input_tokens_ = 0;
  std::int64_t output_tokens_ = 0;
};

}  // namespace osprey::router
