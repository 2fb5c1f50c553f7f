#include "gateway/admission/model_gate.h"

#include <algorithm>

#include "core/metrics.h"

namespace osprey::gateway {
namespace {

std::size_t index_of(PriorityClass priority) { return static_cast<std::size_t>(priority); }

}  // namespace

ModelGate::ModelGate(AdmissionLimits limits, DepthGauges depth, metrics::Gauge* in_flight)
    : limits_(limits), depth_gauges_(depth), in_flight_gauge_(in_flight) {}

ModelGate::Entry ModelGate::enter(const std::shared_ptr<AdmissionTicket>& ticket) {
  std::lock_guard lock(mu_);
  if (in_flight_ < limits_.max_concurrent && queued_locked() == 0) {
    ++in_flight_;
    if (in_flight_gauge_ != nullptr) in_flight_gauge_->set(in_flight_);
    return Entry::kAdmitted;
  }
  if (queued_locked() >= static_cast<std::size_t>(limits_.max_queue)) return Entry::kFull;
  queues_[index_of(ticket->priority)].push_back(ticket);
  publish_depth(ticket->priority);
  return Entry::kQueued;
}

void ModelGate::release() {
  std::shared_ptr<AdmissionTicket> next;
  {
    std::lock_guard lock(mu_);
    for (auto& queue : queues_) {
      if (queue.empty()) continue;
      next = queue.front();
      queue.pop_front();
      next->granted = true;  // the slot passes to it: in_flight_ stays the same
      publish_depth(next->priority);
      break;
    }
    if (!next) {
      in_flight_ = std::max(0, in_flight_ - 1);
      if (in_flight_gauge_ != nullptr) in_flight_gauge_->set(in_flight_);
    }
  }
  if (next) next->waiter->wake();
}

bool ModelGate::leave(const std::shared_ptr<AdmissionTicket>& ticket) {
  std::lock_guard lock(mu_);
  if (ticket->granted) return true;
  auto& queue = queues_[index_of(ticket->priority)];
  auto it = std::find(queue.begin(), queue.end(), ticket);
  if (it != queue.end()) {
    queue.erase(it);
    publish_depth(ticket->priority);
  }
  return false;
}

int ModelGate::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_;
}

std::size_t ModelGate::queued() const {
  std::lock_guard lock(mu_);
  return queued_locked();
}

std::size_t ModelGate::queued(PriorityClass priority) const {
  std::lock_guard lock(mu_);
  return queues_[index_of(priority)].size();
}

std::size_t ModelGate::queued_locked() const {
  std::size_t n = 0;
  for (const auto& queue : queues_) n += queue.size();
  return n;
}

void ModelGate::publish_depth(PriorityClass priority) const {
  metrics::Gauge* gauge = depth_gauges_[index_of(priority)];
  if (gauge != nullptr) gauge->set(static_cast<double>(queues_[index_of(priority)].size()));
}

}  // namespace osprey::gateway
