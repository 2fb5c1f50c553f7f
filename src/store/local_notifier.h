#pragma once
// LocalNotifier: in-process notification channels, the StoreListener of backends without a
// server to carry notifications (SQLite). A notify reaches listeners of the same Store object
// only; other processes on the same file find new work by polling.
// Thread-safe.
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "store/store.h"

namespace osprey::store {

class LocalNotifier {
 public:
  LocalNotifier() : state_(std::make_shared<State>()) {}

  void notify(std::string_view channel);
  std::unique_ptr<StoreListener> listen(std::string_view channel);

  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    std::map<std::string, std::uint64_t, std::less<>> generations;  // guarded by mutex
  };

 private:
  std::shared_ptr<State> state_;  // shared with listeners, which may outlive the store
};

}  // namespace osprey::store
