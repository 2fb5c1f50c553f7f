#include "router/sleep_function.h"

#include <algorithm>

#include "net/sleep.h"

namespace osprey::router {

net::Task<void> interruptible_sleep(std::chrono::milliseconds duration,
                                    std::function<bool()> interrupted) {
  constexpr std::chrono::milliseconds kSlice{20};
  const auto end = std::chrono::steady_clock::now() + duration;
  while (!(interrupted && interrupted())) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    co_await net::sleep_for(std::min(left, kSlice));
  }
}

}  // namespace osprey::router
