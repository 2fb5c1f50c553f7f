#pragma once
// ClientPool: the HTTP client's keep-alive connections, grouped per upstream
// ("scheme://host:port"), with a limit on connections per upstream. A caller first acquires a slot
// (waiting in FIFO order when the limit is reached); the slot may come with an idle connection to
// reuse. Slots are held by a PoolLease, which returns the connection (give_back) or frees the slot
// (destruction). Idle connections older than the idle timeout are dropped whenever the pool is
// touched. Thread-safe; shared by all I/O threads.
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"
#include "net/cancel_token.h"
#include "net/client_connection.h"
#include "net/task.h"

namespace osprey::net {

class PoolLease;

class ClientPool : public std::enable_shared_from_this<ClientPool> {
 public:
  ClientPool(std::size_t max_per_host, std::chrono::milliseconds idle_timeout);

  // Waits (FIFO) for a slot for `key`, up to `deadline` or until `cancel` fires. The lease holds
  // a usable idle connection of this coroutine's io_context when there is one.
  // Errors: kUpstreamTimeout / kClientClosed, built with make_client_error for `authority`.
  Task<Result<PoolLease>> acquire(const std::string& key, const std::string& authority,
                                  std::chrono::steady_clock::time_point deadline,
                                  CancelToken* cancel);

  struct Stats {
    std::size_t idle = 0;
    std::size_t active = 0;
  };
  Stats stats() const;

 private:
  friend class PoolLease;
  struct Waiter;
  struct Host {
    std::deque<std::shared_ptr<ClientConnection>> idle;  // most recently used at the back
    std::size_t active = 0;                              // slots held by leases
    std::deque<std::shared_ptr<Waiter>> waiters;
  };

  // Both called by PoolLease; `connection` is null when the slot is freed without one.
  void release(Host& host, std::shared_ptr<ClientConnection> connection);
  // Takes an idle connection usable from `context`, dropping stale ones. REQUIRES: mu_ held.
  std::shared_ptr<ClientConnection> take_idle(Host& host, const void* context);
  void evict_expired(Host& host, std::chrono::steady_clock::time_point now);

  const std::size_t max_per_host_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mu_;              // guards hosts_: idle lists, active counts and waiter queues
  std::map<std::string, Host> hosts_;  // never erased: leases point at their Host
};

// One slot of a ClientPool. Move-only; destruction without give_back() closes the connection.
class PoolLease {
 public:
  PoolLease() = default;
  PoolLease(std::shared_ptr<ClientPool> pool, ClientPool::Host* host,
            std::shared_ptr<ClientConnection> connection);
  PoolLease(PoolLease&& other) noexcept = default;
  PoolLease& operator=(PoolLease&& other) noexcept;
  ~PoolLease();

  // The connection to use; null until the caller opened one (set_connection).
  const std::shared_ptr<ClientConnection>& connection() const { return connection_; }
  void set_connection(std::shared_ptr<ClientConnection> connection);
  // True if connection() came from the pool rather than being opened for this request.
  bool reused() const { return reused_; }
  // Closes the connection but keeps the slot, so the caller can open a fresh one.
  void drop_connection();
  // Returns a healthy connection to the pool for reuse and releases the slot.
  void give_back();

 private:
  void release();

  std::shared_ptr<ClientPool> pool_;
  ClientPool::Host* host_ = nullptr;  // the slot's upstream in pool_
  std::shared_ptr<ClientConnection> connection_;
  bool reused_ = false;
};

}  // namespace osprey::net
