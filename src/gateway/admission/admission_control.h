#pragma once
// AdmissionControl: the admission stage of the chat pipeline. Per public model a concurrency
// limit and a bounded queue ordered by priority class, then arrival (see ModelGate). A request
// either gets a permit (held until its answer is complete, streams included) or a rejection:
// queue full → `queue_full` (429 or 503 as configured), waited past the queue timeout → 503
// `queue_timeout`, client gone while queued → `client_closed`. Waiting suspends only the
// request's coroutine (net::Waiter), never an I/O thread. Thread-safe.
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "core/metrics.h"
#include "core/result.h"
#include "gateway/admission/admission_config.h"
#include "gateway/admission/model_gate.h"
#include "gateway/principal.h"
#include "net/cancel_token.h"
#include "net/response.h"
#include "net/task.h"

namespace osprey::gateway {

// A slot of one model, given back when destroyed. Move-only; empty for unlimited models.
class AdmissionPermit {
 public:
  AdmissionPermit() = default;
  explicit AdmissionPermit(std::shared_ptr<ModelGate> gate) : gate_(std::move(gate)) {}
  AdmissionPermit(AdmissionPermit&& other) noexcept = default;
  AdmissionPermit& operator=(AdmissionPermit&& other) noexcept;
  AdmissionPermit(const AdmissionPermit&) = delete;
  AdmissionPermit& operator=(const AdmissionPermit&) = delete;
  ~AdmissionPermit();

 private:
  std::shared_ptr<ModelGate> gate_;
};

struct AdmissionRejection {
  Error error;            // kQueueFull, kQueueTimeout or kClientClosed
  int status = 503;       // HTTP status (queue_full's is configurable)
  int retry_after_s = 1;  // Retry-After seconds
};

class AdmissionControl {
 public:
  AdmissionControl(AdmissionConfig config, metrics::Registry& registry, const Clock& clock);

  // Waits for a slot of `model`. `cancel` (may be null) fires when the client disconnects.
  net::Task<Result<AdmissionPermit, AdmissionRejection>> admit(
      std::string model, PriorityClass priority, std::shared_ptr<net::CancelToken> cancel);

  // The gate of `model`, or null when the model is not limited (for tests and metrics).
  std::shared_ptr<ModelGate> gate(const std::string& model);

 private:
  void reject(const std::string& model, std::string_view reason);

  const AdmissionConfig config_;
  const Clock& clock_;
  metrics::Family<metrics::Gauge>& depth_;
  metrics::Family<metrics::Gauge>& in_flight_;
  metrics::Family<metrics::Histogram>& wait_;
  metrics::Family<metrics::Counter>& rejections_;
  std::mutex mu_;  // guards gates_
  std::map<std::string, std::shared_ptr<ModelGate>> gates_;
};

// The error response of a rejection: the API's error body, its status and Retry-After.
net::Response admission_rejection_response(const AdmissionRejection& rejection,
                                           std::string_view request_id);

}  // namespace osprey::gateway
