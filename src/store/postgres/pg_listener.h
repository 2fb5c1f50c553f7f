#pragma once
// PgListener: LISTEN on one channel over a dedicated libpq connection (never a pooled one, so
// a waiting worker holds no pool slot). wait_for_notify polls the socket together with an
// eventfd that wake() signals. A lost connection is reconnected (and LISTEN re-issued) on the
// next wait; notifications sent meanwhile are lost, which is why callers poll too.
// Thread-safe: one waiting thread; wake() from any thread.
#include <libpq-fe.h>

#include <memory>
#include <mutex>
#include <string>

#include "store/store.h"

namespace osprey::store {

class PgListener final : public StoreListener {
 public:
  // `channel` must be a plain identifier ([a-z0-9_], 1..63 characters).
  static Result<std::unique_ptr<PgListener>> open(const std::string& url,
                                                  const std::string& channel);
  ~PgListener() override;
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;

  Result<bool> wait_for_notify(std::chrono::milliseconds timeout) override;
  void wake() override;

 private:
  PgListener(std::string url, std::string channel, int wake_fd)
      : url_(std::move(url)), channel_(std::move(channel)), wake_fd_(wake_fd) {}
  Status connect();
  // Drains pending notifications; true if there was at least one.
  bool drain();

  const std::string url_;  // may hold a password: messages use redact_url
  const std::string channel_;
  const int wake_fd_;
  std::mutex wait_mutex_;  // one waiter at a time; guards conn_
  PGconn* conn_ = nullptr;
};

}  // namespace osprey::store
