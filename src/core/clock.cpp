#include "core/clock.h"

namespace osprey {
namespace {

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::now();
  }
  std::chrono::system_clock::time_point wall_now() const override {
    return std::chrono::system_clock::now();
  }
};

// 2026-01-01T00:00:00Z: a fixed, recognizable date for test output.
constexpr std::chrono::seconds kManualWallStart{1767225600};
// One day after the steady epoch, so a zero time_point is never a valid reading.
constexpr std::chrono::hours kManualSteadyStart{24};

}  // namespace

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

ManualClock::ManualClock()
    : ManualClock(std::chrono::steady_clock::time_point(kManualSteadyStart),
                  std::chrono::system_clock::time_point(kManualWallStart)) {}

ManualClock::ManualClock(std::chrono::steady_clock::time_point steady_start,
                         std::chrono::system_clock::time_point wall_start)
    : steady_start_(steady_start), wall_start_(wall_start) {}

std::chrono::steady_clock::time_point ManualClock::now() const {
  return steady_start_ + std::chrono::nanoseconds(elapsed_ns_.load(std::memory_order_acquire));
}

std::chrono::system_clock::time_point ManualClock::wall_now() const {
  return wall_start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                           std::chrono::nanoseconds(elapsed_ns_.load(std::memory_order_acquire)));
}

void ManualClock::advance(std::chrono::nanoseconds d) {
  if (d.count() <= 0) return;
  elapsed_ns_.fetch_add(d.count(), std::memory_order_acq_rel);
}

}  // namespace osprey
