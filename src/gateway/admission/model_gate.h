#pragma once
// ModelGate: the concurrency slots and the waiting queue of one public model. A request takes a
// slot at once when one is free and nobody waits; otherwise it waits in a bounded queue ordered
// by priority class, then arrival. A released slot goes straight to the first waiter (it is
// never free in between, so a newcomer cannot overtake the queue). Thread-safe (one mutex).
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include "gateway/admission/admission_config.h"
#include "gateway/principal.h"
#include "net/waiter.h"

namespace osprey::metrics {
class Gauge;
}

namespace osprey::gateway {

// One request's place in a queue. `waiter` is woken when the ticket is granted a slot.
struct AdmissionTicket {
  explicit AdmissionTicket(PriorityClass p) : priority(p) {}
  PriorityClass priority;
  std::shared_ptr<net::Waiter> waiter = std::make_shared<net::Waiter>();
  bool granted = false;  // guarded by the gate's mutex
};

// Queue depth per priority class, for the metrics (any entry may be null).
using DepthGauges = std::array<metrics::Gauge*, 3>;

class ModelGate {
 public:
  enum class Entry { kAdmitted, kQueued, kFull };

  explicit ModelGate(AdmissionLimits limits, DepthGauges depth = {},
                     metrics::Gauge* in_flight = {});

  const AdmissionLimits& limits() const { return limits_; }

  // Takes a slot (kAdmitted), queues `ticket` (kQueued: await ticket->waiter, then call
  // leave()), or refuses (kFull).
  Entry enter(const std::shared_ptr<AdmissionTicket>& ticket);
  // Gives a slot back: the first waiter is granted it and woken. REQUIRES: a slot is held.
  void release();
  // A queued ticket gives up (timeout, client gone). Returns true if it had been granted
  // meanwhile: the caller then holds a slot and must release() it.
  bool leave(const std::shared_ptr<AdmissionTicket>& ticket);

  int in_flight() const;
  std::size_t queued() const;
  std::size_t queued(PriorityClass priority) const;

 private:
  std::size_t queued_locked() const;                 // REQUIRES: mu_ held
  void publish_depth(PriorityClass priority) const;  // REQUIRES: mu_ held

  const AdmissionLimits limits_;
  const DepthGauges depth_gauges_;
  metrics::Gauge* const in_flight_gauge_;
  mutable std::mutex mu_;  // guards in_flight_, queues_ and every ticket's `granted`
  int in_flight_ = 0;
  std::array<std::deque<std::shared_ptr<AdmissionTicket>>, 3> queues_;  // by PriorityClass
};

}  // namespace osprey::gateway
