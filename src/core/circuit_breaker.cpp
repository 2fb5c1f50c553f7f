#include "core/circuit_breaker.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace osprey {
namespace {

CircuitBreakerOptions sanitized(CircuitBreakerOptions o) {
  o.consecutive_failures = std::max(0, o.consecutive_failures);
  if (!(o.error_rate_threshold >= 0.0)) o.error_rate_threshold = 0.0;  // also catches NaN
  o.error_rate_threshold = std::min(1.0, o.error_rate_threshold);
  o.min_request_volume = std::max(1, o.min_request_volume);
  o.window = std::max(o.window, std::chrono::milliseconds(1));
  o.open_duration = std::max(o.open_duration, std::chrono::milliseconds(0));
  o.max_half_open_calls = std::max(1, o.max_half_open_calls);
  if (!(o.open_duration_multiplier >= 1.0) || !std::isfinite(o.open_duration_multiplier)) {
    o.open_duration_multiplier = 1.0;
  }
  o.max_open_duration = std::max(o.max_open_duration, o.open_duration);
  return o;
}

Error invalid(const std::string& message) {
  return make_error(ErrorCode::kConfigInvalid, "circuit_breaker." + message);
}

}  // namespace

std::string_view circuit_state_name(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed:
      return "closed";
    case CircuitState::kOpen:
      return "open";
    case CircuitState::kHalfOpen:
      return "half_open";
  }
  return "unknown";
}

Status validate(const CircuitBreakerOptions& o) {
  if (o.consecutive_failures < 0) return invalid("consecutive_failures must not be negative");
  if (!(o.error_rate_threshold >= 0.0 && o.error_rate_threshold <= 1.0)) {
    return invalid("error_rate_threshold must be between 0 and 1");
  }
  if (o.min_request_volume < 1) return invalid("min_request_volume must be at least 1");
  if (o.window.count() <= 0) return invalid("window must be positive");
  if (o.open_duration.count() < 0) return invalid("open_duration must not be negative");
  if (o.max_half_open_calls < 1) return invalid("max_half_open_calls must be at least 1");
  if (!(o.open_duration_multiplier >= 1.0) || !std::isfinite(o.open_duration_multiplier)) {
    return invalid("open_duration_multiplier must be a finite number >= 1");
  }
  if (o.max_open_duration < o.open_duration) {
    return invalid("max_open_duration must be at least open_duration");
  }
  return {};
}

// --- Permit ---

CircuitBreaker::Permit::Permit(Permit&& other) noexcept
    : breaker_(std::exchange(other.breaker_, nullptr)),
      generation_(other.generation_),
      trial_(other.trial_) {}

CircuitBreaker::Permit& CircuitBreaker::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    if (breaker_ != nullptr) {
      std::exchange(breaker_, nullptr)->finish_permit(kAbandoned, generation_, trial_);
    }
    breaker_ = std::exchange(other.breaker_, nullptr);
    generation_ = other.generation_;
    trial_ = other.trial_;
  }
  return *this;
}

CircuitBreaker::Permit::~Permit() {
  if (breaker_ != nullptr) breaker_->finish_permit(kAbandoned, generation_, trial_);
}

void CircuitBreaker::Permit::success() {
  if (breaker_ != nullptr) {
    std::exchange(breaker_, nullptr)->finish_permit(kSuccess, generation_, trial_);
  }
}

void CircuitBreaker::Permit::failure() {
  if (breaker_ != nullptr) {
    std::exchange(breaker_, nullptr)->finish_permit(kFailure, generation_, trial_);
  }
}

// --- CircuitBreaker ---

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options, const Clock& clock,
                               StateChangeCallback on_state_change)
    : options_(sanitized(options)),
      clock_(clock),
      on_state_change_(std::move(on_state_change)),
      bucket_width_(std::max(std::chrono::nanoseconds(1),
                             std::chrono::nanoseconds(options_.window) / kWindowBuckets)),
      current_open_duration_(options_.open_duration) {}

CircuitBreaker::Permit CircuitBreaker::try_acquire() {
  bool admitted = false;
  bool trial = false;
  std::uint64_t generation = 0;
  std::optional<Transition> transition;
  {
    std::lock_guard<std::mutex> lock(mu_);
    transition = admit_locked(&admitted, &trial);
    generation = generation_;
  }
  notify(transition);
  if (!admitted) return Permit();
  return Permit(this, generation, trial);
}

bool CircuitBreaker::allow() {
  bool admitted = false;
  bool trial = false;
  std::optional<Transition> transition;
  {
    std::lock_guard<std::mutex> lock(mu_);
    transition = admit_locked(&admitted, &trial);
  }
  notify(transition);
  return admitted;
}

void CircuitBreaker::record_success() {
  std::optional<Transition> transition;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == CircuitState::kHalfOpen && trials_in_flight_ > 0) --trials_in_flight_;
    transition = record_locked(kSuccess);
  }
  notify(transition);
}

void CircuitBreaker::record_failure() {
  std::optional<Transition> transition;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == CircuitState::kHalfOpen && trials_in_flight_ > 0) --trials_in_flight_;
    transition = record_locked(kFailure);
  }
  notify(transition);
}

void CircuitBreaker::finish_permit(Outcome outcome, std::uint64_t generation, bool trial) {
  std::optional<Transition> transition;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A transition reset the trial count and the window; this call belongs to an older era.
    if (generation != generation_) return;
    if (trial && trials_in_flight_ > 0) --trials_in_flight_;
    if (outcome != kAbandoned) transition = record_locked(outcome);
  }
  notify(transition);
}

std::uint64_t CircuitBreaker::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

void CircuitBreaker::record_failure_since(std::uint64_t generation) {
  finish_permit(kFailure, generation, /*trial=*/false);  // its trial slot, if any, is settled
}

bool CircuitBreaker::available() const {
  std::lock_guard<std::mutex> lock(mu_);
  switch (state_) {
    case CircuitState::kClosed:
      return true;
    case CircuitState::kOpen:
      return clock_.now() >= open_until_;
    case CircuitState::kHalfOpen:
      return trials_in_flight_ < options_.max_half_open_calls;
  }
  return false;
}

CircuitState CircuitBreaker::state() {
  CircuitState result;
  std::optional<Transition> transition;
  {
    std::lock_guard<std::mutex> lock(mu_);
    transition = maybe_half_open_locked();
    result = state_;
  }
  notify(transition);
  return result;
}

std::chrono::milliseconds CircuitBreaker::open_duration() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::chrono::duration_cast<std::chrono::milliseconds>(current_open_duration_);
}

std::optional<CircuitBreaker::Transition> CircuitBreaker::admit_locked(bool* admitted,
                                                                       bool* trial) {
  std::optional<Transition> transition = maybe_half_open_locked();
  *admitted = false;
  *trial = false;
  switch (state_) {
    case CircuitState::kClosed:
      *admitted = true;
      break;
    case CircuitState::kOpen:
      break;
    case CircuitState::kHalfOpen:
      if (trials_in_flight_ < options_.max_half_open_calls) {
        ++trials_in_flight_;
        *admitted = true;
        *trial = true;
      }
      break;
  }
  return transition;
}

std::optional<CircuitBreaker::Transition> CircuitBreaker::record_locked(Outcome outcome) {
  switch (state_) {
    case CircuitState::kOpen:
      return std::nullopt;  // a straggler from before the breaker opened
    case CircuitState::kHalfOpen:
      if (outcome == kSuccess) {
        current_open_duration_ = options_.open_duration;
        return transition_locked(CircuitState::kClosed);
      }
      {
        const double grown = std::chrono::duration<double>(current_open_duration_).count() *
                             options_.open_duration_multiplier;
        const double cap = std::chrono::duration<double>(options_.max_open_duration).count();
        current_open_duration_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::duration<double>(std::min(grown, cap)));
      }
      return transition_locked(CircuitState::kOpen);
    case CircuitState::kClosed:
      break;
  }
  if (outcome == kSuccess) {
    consecutive_failures_ = 0;
    count_in_window_locked(false);
    return std::nullopt;
  }
  ++consecutive_failures_;
  count_in_window_locked(true);
  const bool by_streak =
      options_.consecutive_failures > 0 && consecutive_failures_ >= options_.consecutive_failures;
  if (by_streak || error_rate_tripped_locked()) return transition_locked(CircuitState::kOpen);
  return std::nullopt;
}

std::optional<CircuitBreaker::Transition> CircuitBreaker::maybe_half_open_locked() {
  if (state_ == CircuitState::kOpen && clock_.now() >= open_until_) {
    return transition_locked(CircuitState::kHalfOpen);
  }
  return std::nullopt;
}

std::optional<CircuitBreaker::Transition> CircuitBreaker::transition_locked(CircuitState to) {
  const Transition transition{state_, to};
  state_ = to;
  ++generation_;
  consecutive_failures_ = 0;
  trials_in_flight_ = 0;
  window_.fill(Bucket{});
  if (to == CircuitState::kOpen) open_until_ = clock_.now() + current_open_duration_;
  return transition;
}

void CircuitBreaker::count_in_window_locked(bool failure) {
  const std::int64_t epoch = clock_.now().time_since_epoch() / bucket_width_;
  Bucket& bucket = window_[static_cast<std::size_t>(epoch % kWindowBuckets)];
  if (bucket.epoch != epoch) bucket = Bucket{epoch, 0, 0};
  ++(failure ? bucket.failures : bucket.successes);
}

bool CircuitBreaker::error_rate_tripped_locked() {
  if (options_.error_rate_threshold <= 0.0) return false;
  const std::int64_t now_epoch = clock_.now().time_since_epoch() / bucket_width_;
  std::int64_t calls = 0;
  std::int64_t failures = 0;
  for (const Bucket& bucket : window_) {
    if (bucket.epoch < 0 || bucket.epoch <= now_epoch - kWindowBuckets) continue;
    calls += bucket.successes + bucket.failures;
    failures += bucket.failures;
  }
  if (calls < options_.min_request_volume) return false;
  return static_cast<double>(failures) >=
         options_.error_rate_threshold * static_cast<double>(calls);
}

void CircuitBreaker::notify(std::optional<Transition> transition) {
  if (transition && on_state_change_) on_state_change_(transition->from, transition->to);
}

}  // namespace osprey
