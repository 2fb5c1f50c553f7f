#include "gateway/admission/admission_control.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/log.h"
#include "net/waiter.h"

namespace osprey::gateway {
namespace {

// Model names come from clients: an unknown name must not grow the gate table without bound.
// Past this many gates, requests for new names pass ungated (the router answers 404 for names
// it does not know).
constexpr std::size_t kMaxGates = 4096;

int retry_after_seconds(const AdmissionLimits& limits) {
  const auto ms = limits.queue_timeout.count();
  return static_cast<int>(std::max<std::int64_t>(1, (ms + 999) / 1000));
}

// The metric label of a priority class.
std::string_view priority_label(PriorityClass priority) {
  switch (priority) {
    case PriorityClass::kHigh:
      return "high";
    case PriorityClass::kNormal:
      return "normal";
    case PriorityClass::kLow:
      return "low";
  }
  return "normal";
}

}  // namespace

AdmissionPermit& AdmissionPermit::operator=(AdmissionPermit&& other) noexcept {
  if (this != &other) {
    if (gate_) gate_->release();
    gate_ = std::move(other.gate_);
  }
  return *this;
}

AdmissionPermit::~AdmissionPermit() {
  if (gate_) gate_->release();
}

AdmissionControl::AdmissionControl(AdmissionConfig config, metrics::Registry& registry,
                                   const Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      depth_(registry.gauge("osprey_admission_queue_depth",
                            "Requests waiting for an admission slot by model and priority",
                            {"model", "priority"})),
      in_flight_(registry.gauge("osprey_admission_in_flight",
                                "Requests holding an admission slot by model", {"model"})),
      wait_(registry.histogram("osprey_admission_wait_seconds",
                               "Time queued requests waited for a slot (admitted or not)",
                               {"model", "priority"}, {})),
      rejections_(registry.counter("osprey_admission_rejections_total",
                                   "Requests refused by admission by model and reason",
                                   {"model", "reason"})) {}

std::shared_ptr<ModelGate> AdmissionControl::gate(const std::string& model) {
  const AdmissionLimits& limits = config_.limits_for(model);
  if (limits.max_concurrent <= 0) return nullptr;
  std::lock_guard lock(mu_);
  auto it = gates_.find(model);
  if (it != gates_.end()) return it->second;
  if (gates_.size() >= kMaxGates) return nullptr;
  DepthGauges depth{};
  for (PriorityClass p : {PriorityClass::kHigh, PriorityClass::kNormal, PriorityClass::kLow}) {
    depth[static_cast<std::size_t>(p)] = &depth_.with({model, priority_label(p)});
  }
  auto gate = std::make_shared<ModelGate>(limits, depth, &in_flight_.with({model}));
  gates_.emplace(model, gate);
  return gate;
}

void AdmissionControl::reject(const std::string& model, std::string_view reason) {
  rejections_.with({model, reason}).inc();
}

net::Task<Result<AdmissionPermit, AdmissionRejection>> AdmissionControl::admit(
    std::string model, PriorityClass priority, std::shared_ptr<net::CancelToken> cancel) {
  std::shared_ptr<ModelGate> gate = this->gate(model);
  if (!gate) co_return AdmissionPermit();
  const AdmissionLimits& limits = gate->limits();
  auto ticket = std::make_shared<AdmissionTicket>(priority);
  switch (gate->enter(ticket)) {
    case ModelGate::Entry::kAdmitted:
      co_return AdmissionPermit(gate);
    case ModelGate::Entry::kFull:
      reject(model, "queue_full");
      co_return AdmissionRejection{{ErrorCode::kQueueFull, "the admission queue of model '" +
                                                               model + "' is full; retry later"},
                                   limits.overflow_status,
                                   retry_after_seconds(limits)};
    case ModelGate::Entry::kQueued:
      break;
  }

  const auto queued_at = clock_.now();
  co_await ticket->waiter->wait_for(limits.queue_timeout, cancel);

  const bool granted = gate->leave(ticket);
  const double waited = std::chrono::duration<double>(clock_.now() - queued_at).count();
  wait_.with({model, priority_label(priority)}).observe(waited);
  AdmissionPermit permit = granted ? AdmissionPermit(gate) : AdmissionPermit();
  if (cancel && cancel->cancelled()) {
    reject(model, "client_closed");
    co_return AdmissionRejection{{ErrorCode::kClientClosed, "client closed while queued"},
                                 499,
                                 1};  // `permit` gives a granted slot back
  }
  if (granted) co_return std::move(permit);
  reject(model, "queue_timeout");
  log::info("admission_timeout", {{"model", model},
                                  {"priority", priority_label(priority)},
                                  {"waited_ms", static_cast<std::int64_t>(waited * 1000)}});
  co_return AdmissionRejection{
      {ErrorCode::kQueueTimeout, "waited " + std::to_string(limits.queue_timeout.count()) +
                                     " ms for model '" + model + "'; retry later"},
      503,
      retry_after_seconds(limits)};
}

net::Response admission_rejection_response(const AdmissionRejection& rejection,
                                           std::string_view request_id) {
  net::Response response = net::Response::error(rejection.error, request_id);
  response.status = rejection.status;
  response.headers.set("Retry-After", std::to_string(rejection.retry_after_s));
  return response;
}

}  // namespace osprey::gateway
