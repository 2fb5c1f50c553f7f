#include "net/client_pool.h"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <utility>

#include "net/client_error.h"

namespace osprey::net {
namespace asio = boost::asio;

namespace {

// How long an idle connection is trusted without checking the socket; far below the keep-alive
// timeouts of HTTP servers (5 s and more).
constexpr std::chrono::milliseconds kTrustIdle{1000};

}  // namespace

// A coroutine queued for a slot. It sleeps on `timer`; a grant or a cancellation wakes it by
// posting timer.cancel() to the timer's executor (timers are not thread-safe).
struct ClientPool::Waiter : std::enable_shared_from_this<Waiter> {
  explicit Waiter(asio::any_io_executor ex) : timer(std::move(ex)) {}
  void wake() {
    asio::post(timer.get_executor(), [self = shared_from_this()] { self->timer.cancel(); });
  }

  asio::steady_timer timer;
  const void* context = nullptr;
  // Written under ClientPool::mu_:
  bool granted = false;
  std::shared_ptr<ClientConnection> connection;  // set when the grant came with a connection
};

PoolLease::PoolLease(std::shared_ptr<ClientPool> pool, ClientPool::Host* host,
                     std::shared_ptr<ClientConnection> connection)
    : pool_(std::move(pool)),
      host_(host),
      connection_(std::move(connection)),
      reused_(connection_ != nullptr) {}

PoolLease& PoolLease::operator=(PoolLease&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = std::move(other.pool_);
    host_ = other.host_;
    connection_ = std::move(other.connection_);
    reused_ = other.reused_;
  }
  return *this;
}

PoolLease::~PoolLease() { release(); }

void PoolLease::set_connection(std::shared_ptr<ClientConnection> connection) {
  connection_ = std::move(connection);
  reused_ = false;
}

void PoolLease::drop_connection() {
  if (connection_) connection_->close();
  connection_.reset();
  reused_ = false;
}

void PoolLease::give_back() {
  if (!pool_) return;
  auto pool = std::move(pool_);
  pool->release(*host_, std::move(connection_));
}

void PoolLease::release() {
  if (!pool_) return;
  drop_connection();
  auto pool = std::move(pool_);
  pool->release(*host_, nullptr);
}

ClientPool::ClientPool(std::size_t max_per_host, std::chrono::milliseconds idle_timeout)
    : max_per_host_(max_per_host == 0 ? 1 : max_per_host), idle_timeout_(idle_timeout) {}

Task<Result<PoolLease>> ClientPool::acquire(const std::string& key, const std::string& authority,
                                            std::chrono::steady_clock::time_point deadline,
                                            CancelToken* cancel) {
  auto ex = co_await asio::this_coro::executor;
  const void* context = &asio::query(ex, asio::execution::context);
  std::shared_ptr<Waiter> waiter;  // only made when the request has to queue
  Host* host = nullptr;
  {
    std::lock_guard lock(mu_);
    host = &hosts_[key];
    evict_expired(*host, std::chrono::steady_clock::now());
    if (host->waiters.empty()) {  // otherwise queue behind them (FIFO)
      if (auto idle = take_idle(*host, context)) {
        ++host->active;
        co_return PoolLease(shared_from_this(), host, std::move(idle));
      }
      if (host->active + host->idle.size() >= max_per_host_ && !host->idle.empty()) {
        host->idle.pop_front();  // idle on another io_context: replace the oldest
      }
      if (host->active + host->idle.size() < max_per_host_) {
        ++host->active;
        co_return PoolLease(shared_from_this(), host, nullptr);
      }
    }
    waiter = std::make_shared<Waiter>(ex);
    waiter->context = context;
    host->waiters.push_back(waiter);
  }

  CancelToken::SubscriptionId subscription = CancelToken::kNoSubscription;
  if (cancel) {
    std::weak_ptr<Waiter> weak = waiter;
    subscription = cancel->subscribe([weak] {
      if (auto w = weak.lock()) w->wake();
    });
  }
  for (;;) {
    {
      std::lock_guard lock(mu_);
      std::optional<Error> failure;
      if (waiter->granted) {
        if (cancel) cancel->unsubscribe(subscription);
        co_return PoolLease(shared_from_this(), host, std::move(waiter->connection));
      }
      if (cancel && cancel->cancelled()) {
        failure = make_client_error(ClientErrorKind::kCancelled, authority,
                                    "while waiting for a free connection");
      } else if (std::chrono::steady_clock::now() >= deadline) {
        failure = make_client_error(
            ClientErrorKind::kTimeoutTotal, authority,
            "no free connection (limit " + std::to_string(max_per_host_) + " per host)");
      }
      if (failure) {
        std::erase(host->waiters, waiter);
        if (cancel) cancel->unsubscribe(subscription);
        co_return *failure;
      }
    }
    waiter->timer.expires_at(deadline);
    boost::system::error_code ec;
    co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void ClientPool::release(Host& host, std::shared_ptr<ClientConnection> connection) {
  std::shared_ptr<ClientConnection> unused;  // destroyed after the lock is released
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  evict_expired(host, now);
  if (!host.waiters.empty()) {
    // Hand the slot straight to the next waiter; the active count is unchanged.
    auto waiter = std::move(host.waiters.front());
    host.waiters.pop_front();
    if (connection && connection->context_id() == waiter->context) {
      waiter->connection = std::move(connection);
    } else if (connection) {
      connection->close();
      unused = std::move(connection);
    }
    waiter->granted = true;
    waiter->wake();
    return;
  }
  --host.active;
  if (connection) {
    connection->idle_since = now;
    host.idle.push_back(std::move(connection));
  }
}

std::shared_ptr<ClientConnection> ClientPool::take_idle(Host& host, const void* context) {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = host.idle.end(); it != host.idle.begin();) {
    --it;
    if ((*it)->context_id() != context) continue;
    auto connection = std::move(*it);
    it = host.idle.erase(it);
    // A connection given back moments ago skips the peek (a system call per reuse): should the
    // upstream have closed it anyway, ClientExchange::start replaces it once with a fresh one.
    if (now - connection->idle_since < kTrustIdle && connection->quiet()) return connection;
    if (connection->usable()) return connection;
    connection->close();  // stale: the upstream closed it while idle
  }
  return nullptr;
}

void ClientPool::evict_expired(Host& host, std::chrono::steady_clock::time_point now) {
  std::erase_if(host.idle, [&](const std::shared_ptr<ClientConnection>& c) {
    if (now - c->idle_since < idle_timeout_) return false;
    c->close();
    return true;
  });
}

ClientPool::Stats ClientPool::stats() const {
  Stats stats;
  std::lock_guard lock(mu_);
  for (const auto& [key, host] : hosts_) {
    stats.idle += host.idle.size();
    stats.active += host.active;
  }
  return stats;
}

}  // namespace osprey::net
