#pragma once
// Waiter: a one-shot wake-up that one coroutine awaits with a timeout and that any thread may
// fire, so code outside net/ can park a request (e.g. in an admission queue) without blocking an
// I/O thread and without seeing Asio. wake() is sticky: a wake before wait() makes wait() return
// at once. Thread-safe: wake() from any thread, any number of times; wait() from one coroutine,
// at most once. Hold it by shared_ptr when another thread may wake it after the waiter is gone.
#include <chrono>
#include <memory>

#include "net/cancel_token.h"
#include "net/task.h"

namespace osprey::net {

class Waiter {
 public:
  Waiter();
  ~Waiter();
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;

  // Suspends the calling coroutine until wake() or until `timeout` passes; true if woken (a
  // wake that races the timeout counts as a wake). Resumes on the coroutine's own executor.
  // REQUIRES: called once.
  Task<bool> wait_for(std::chrono::milliseconds timeout);
  // The same, also woken when `cancel` (may be null) fires: a wait the client's disconnect or a
  // shutdown ends early. REQUIRES: called once, instead of the overload above.
  Task<bool> wait_for(std::chrono::milliseconds timeout, std::shared_ptr<CancelToken> cancel);

  // Wakes the waiting coroutine (or the next wait_for). Short and non-blocking.
  void wake();
  bool woken() const;

 private:
  struct State;
  // wake() on a state: the cancel subscription holds the state, which may outlive the Waiter.
  static void wake(const std::shared_ptr<State>& state);
  std::shared_ptr<State> state_;  // shared with wake-ups posted to the waiting executor
};

}  // namespace osprey::net
