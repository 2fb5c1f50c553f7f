#pragma once
// AppContext: what the built-in routes share for the life of one `osprey serve` process.
// Built once by the serve command before the server starts; its members are thread-safe.
#include <atomic>
#include <memory>

#include "core/config.h"
#include "core/metrics.h"
#include "net/worker_pool.h"
#include "store/store.h"

namespace osprey::app {

struct AppContext {
  Config config;
  metrics::Registry metrics;
  std::unique_ptr<net::WorkerPool> workers;  // blocking work: store calls, disk, CPU engines
  std::unique_ptr<store::Store> store;
  std::atomic<bool> draining{false};  // set on the first shutdown signal; /readyz turns 503
};

}  // namespace osprey::app
