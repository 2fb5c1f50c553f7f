#pragma once
// Clock: the one source of time for code that must be testable. Production code takes a
// `const Clock&` (normally system_clock()); tests pass a ManualClock and move time by hand.
// Thread-safety: every Clock is safe to call from any thread.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace osprey {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time: for durations, deadlines, rate limits and cool-downs.
  virtual std::chrono::steady_clock::time_point now() const = 0;
  // Calendar time: for timestamps shown to people and stored in records.
  virtual std::chrono::system_clock::time_point wall_now() const = 0;
};

// The real clocks of the machine. Lives for the whole program.
Clock& system_clock();

// A clock that only moves when told to. Both readings advance together, so a test sees
// consistent monotonic and calendar time. Thread-safe: advance() may race with now().
class ManualClock final : public Clock {
 public:
  // Starts at an arbitrary fixed point (not the steady clock epoch, so "time zero" bugs show)
  // and a fixed calendar date, so runs are reproducible.
  ManualClock();
  ManualClock(std::chrono::steady_clock::time_point steady_start,
              std::chrono::system_clock::time_point wall_start);

  std::chrono::steady_clock::time_point now() const override;
  std::chrono::system_clock::time_point wall_now() const override;

  // Moves both clocks forward by d. A negative d is ignored: a steady clock never goes back.
  void advance(std::chrono::nanoseconds d);

 private:
  const std::chrono::steady_clock::time_point steady_start_;
  const std::chrono::system_clock::time_point wall_start_;
  std::atomic<std::int64_t> elapsed_ns_{0};
};

}  // namespace osprey
