#include "gateway/usage/request_account.h"

#include "core/log.h"

namespace osprey::gateway {

RequestAccount::RequestAccount(const Principal& principal,
                               std::chrono::steady_clock::time_point started, Closer closer)
    : principal_(principal), started_(started), closer_(std::move(closer)) {}

RequestAccount::~RequestAccount() {
  if (finished_) return;
  try {
    finish(499);
  } catch (const std::exception& e) {
    log::error("request_account_close_failed", {{"error", e.what()}});
  }
}

void RequestAccount::finish(int status) {
  if (finished_) return;
  finished_ = true;
  status_ = status;
  if (closer_) closer_(*this);
}

}  // namespace osprey::gateway
