#pragma once
// ConnectionPool<Conn>: a fixed number of connection slots handed out one caller at a time.
// A slot may be empty (not connected yet, or dropped after a failure): the caller fills it
// through Lease::slot(), which is how the PostgreSQL backend reconnects lazily.
// Thread-safe. The pool must outlive every Lease it hands out.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace osprey::store {

template <typename Conn>
class ConnectionPool {
 public:
  // Exclusive use of one slot until destroyed; then the slot goes back to the pool.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->give_back(std::move(conn_));
    }

    std::unique_ptr<Conn>& slot() { return conn_; }
    Conn& operator*() { return *conn_; }
    Conn* operator->() { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Conn> conn_;
  };

  // `slots` may contain nullptrs (connected on first use).
  explicit ConnectionPool(std::vector<std::unique_ptr<Conn>> slots)
      : idle_(std::move(slots)), size_(idle_.size()) {}

  // Waits up to `timeout` for a free slot; nullopt on timeout.
  std::optional<Lease> acquire(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!available_.wait_for(lock, timeout, [this] { return !idle_.empty(); })) {
      return std::nullopt;
    }
    std::unique_ptr<Conn> conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }

  // Destroys every idle connection. REQUIRES: no Lease outstanding.
  void clear() {
    std::lock_guard lock(mutex_);
    idle_.clear();
  }

  std::size_t size() const { return size_; }

 private:
  void give_back(std::unique_ptr<Conn> conn) {
    {
      std::lock_guard lock(mutex_);
      idle_.push_back(std::move(conn));
    }
    available_.notify_one();
  }

  std::mutex mutex_;  // guards idle_
  std::condition_variable available_;
  std::vector<std::unique_ptr<Conn>> idle_;
  std::size_t size_;
};

}  // namespace osprey::store
