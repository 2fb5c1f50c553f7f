#include "store/local_notifier.h"

namespace osprey::store {
namespace {

class LocalListener final : public StoreListener {
 public:
  LocalListener(std::shared_ptr<LocalNotifier::State> state, std::string channel)
      : state_(std::move(state)), channel_(std::move(channel)) {
    std::lock_guard lock(state_->mutex);
    seen_ = state_->generations[channel_];
  }

  Result<bool> wait_for_notify(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(state_->mutex);
    auto& generation = state_->generations[channel_];
    state_->changed.wait_for(lock, timeout, [&] { return generation != seen_ || woken_; });
    const bool notified = generation != seen_;
    seen_ = generation;
    woken_ = false;
    return notified;
  }

  void wake() override {
    {
      std::lock_guard lock(state_->mutex);
      woken_ = true;
    }
    state_->changed.notify_all();
  }

 private:
  std::shared_ptr<LocalNotifier::State> state_;
  const std::string channel_;
  std::uint64_t seen_ = 0;  // guarded by state_->mutex
  bool woken_ = false;      // guarded by state_->mutex
};

}  // namespace

void LocalNotifier::notify(std::string_view channel) {
  {
    std::lock_guard lock(state_->mutex);
    auto it = state_->generations.find(channel);
    if (it == state_->generations.end()) {
      it = state_->generations.emplace(std::string(channel), 0).first;
    }
    ++it->second;
  }
  state_->changed.notify_all();
}

std::unique_ptr<StoreListener> LocalNotifier::listen(std::string_view channel) {
  return std::make_unique<LocalListener>(state_, std::string(channel));
}

}  // namespace osprey::store
