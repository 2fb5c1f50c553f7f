#pragma once
// eventually(): polls a condition instead of sleeping a fixed time, for tests that wait for a
// server or a client to reach a state (a refresh applied, a metric counted, a connection closed).
#include <chrono>
#include <thread>

namespace osprey::testing {

// True as soon as `condition()` is; checks every 5 ms for up to `timeout`, then a last time.
template <typename F>
bool eventually(F condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

}  // namespace osprey::testing
