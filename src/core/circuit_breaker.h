#pragma once
// CircuitBreaker: stops sending traffic to an upstream that keeps failing, then probes it with
// a few trial calls after a cool-down. One breaker per deployment.
//
//   closed    --N consecutive failures, or error rate >= threshold over the window-->  open
//   open      --open duration elapsed (checked lazily on the next call)----------->  half_open
//   half_open --a trial succeeds--> closed;   --a trial fails--> open (cool-down may grow)
//
// Thread-safety: every member function may be called from any thread. The state change
// callback runs outside the breaker's lock (it may call back into the breaker), possibly on
// several threads at once, once per transition.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace osprey {

enum class CircuitState : std::uint8_t { kClosed, kOpen, kHalfOpen };

// "closed", "open", "half_open": used in logs and as a metric label.
std::string_view circuit_state_name(CircuitState state);

struct CircuitBreakerOptions {
  // Opens after this many failures in a row. 0 disables this trigger.
  int consecutive_failures = 5;
  // Opens when failures / calls >= this over `window`, once the window holds at least
  // `min_request_volume` calls. 0 disables this trigger.
  double error_rate_threshold = 0.5;
  int min_request_volume = 20;
  // Length of the sliding window, counted in 10 buckets (so it slides in window/10 steps).
  std::chrono::milliseconds window{10'000};
  // Cool-down before the first trial call.
  std::chrono::milliseconds open_duration{5'000};
  // Trial calls allowed at once in half_open.
  int max_half_open_calls = 1;
  // After a failed trial the cool-down is multiplied by this (1 = constant), up to the max.
  double open_duration_multiplier = 1.0;
  std::chrono::milliseconds max_open_duration{60'000};
};

// Checks the options; the message names the offending field.
Status validate(const CircuitBreakerOptions& options);

class CircuitBreaker {
 public:
  using StateChangeCallback = std::function<void(CircuitState from, CircuitState to)>;

  // The right to make one call. Report the outcome with success() or failure(); a permit
  // dropped without an outcome (e.g. the client went away) records nothing and frees its
  // half-open trial slot. Outcomes of calls admitted before the breaker last changed state are
  // ignored, so a slow call from the closed era cannot close a half-open breaker.
  // REQUIRES: the permit does not outlive its breaker.
  class [[nodiscard]] Permit {
   public:
    Permit() = default;  // a denied permit
    Permit(Permit&& other) noexcept;
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit();

    bool allowed() const { return breaker_ != nullptr; }
    explicit operator bool() const { return allowed(); }
    // Records the outcome once; calls on a denied or already finished permit do nothing.
    void success();
    void failure();

   private:
    friend class CircuitBreaker;
    Permit(CircuitBreaker* breaker, std::uint64_t generation, bool trial)
        : breaker_(breaker), generation_(generation), trial_(trial) {}

    CircuitBreaker* breaker_ = nullptr;
    std::uint64_t generation_ = 0;
    bool trial_ = false;
  };

  // Invalid options are clamped to the nearest sane value (validate() them first to report).
  CircuitBreaker(CircuitBreakerOptions options, const Clock& clock,
                 StateChangeCallback on_state_change = {});
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  // Admits a call or not; in half_open this takes one trial slot.
  Permit try_acquire();

  // The same without RAII: after allow() returns true the caller must call exactly one of
  // record_success() / record_failure(). These apply to the current state whenever the call
  // started, so prefer try_acquire() where calls can outlive a state change.
  bool allow();
  void record_success();
  void record_failure();

  // A failure found after the call's permit was settled (a stream that breaks after its first
  // byte): stamp generation() when the permit is settled, then record_failure_since(stamp). It
  // counts only if the breaker has not changed state since, like a permit's outcome.
  std::uint64_t generation() const;
  void record_failure_since(std::uint64_t generation);

  // Whether a call would be admitted now, without taking a trial slot (for balancing).
  bool available() const;
  // The current state, after moving open -> half_open if the cool-down is over.
  CircuitState state();
  // The cool-down that applies the next time the breaker opens (or the current one if open).
  std::chrono::milliseconds open_duration() const;

 private:
  enum Outcome : int { kSuccess, kFailure, kAbandoned };
  struct Transition {
    CircuitState from;
    CircuitState to;
  };
  struct Bucket {
    std::int64_t epoch = -1;
    std::int64_t successes = 0;
    std::int64_t failures = 0;
  };
  static constexpr int kWindowBuckets = 10;

  // All private helpers below REQUIRE mu_ held.
  std::optional<Transition> admit_locked(bool* admitted, bool* trial);
  std::optional<Transition> record_locked(Outcome outcome);
  std::optional<Transition> maybe_half_open_locked();
  std::optional<Transition> transition_locked(CircuitState to);
  void count_in_window_locked(bool failure);
  bool error_rate_tripped_locked();
  void notify(std::optional<Transition> transition);
  void finish_permit(Outcome outcome, std::uint64_t generation, bool trial);

  const CircuitBreakerOptions options_;
  const Clock& clock_;
  const StateChangeCallback on_state_change_;
  const std::chrono::nanoseconds bucket_width_;

  mutable std::mutex mu_;
  // Guarded by mu_: everything below.
  CircuitState state_ = CircuitState::kClosed;
  std::uint64_t generation_ = 0;  // bumped on every transition; stamps permits
  int consecutive_failures_ = 0;
  int trials_in_flight_ = 0;
  std::chrono::steady_clock::time_point open_until_{};
  std::chrono::nanoseconds current_open_duration_;
  std::array<Bucket, kWindowBuckets> window_{};
};

}  // namespace osprey
