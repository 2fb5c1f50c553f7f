#pragma once
// HttpObserver: turns the server's per-request records into access-log lines and HTTP metrics
// (requests by route/method/status, latency histogram, in-flight gauge, errors by code).
#include "core/metrics.h"
#include "net/server.h"

namespace osprey::app {

class HttpObserver {
 public:
  HttpObserver(metrics::Registry& registry, bool access_log);

  // Hooks for net::Server; they reference this observer, which must outlive the server.
  net::ServerHooks hooks();

 private:
  void on_request_end(const net::RequestRecord& record);

  bool access_log_;
  metrics::Family<metrics::Counter>& requests_;
  metrics::Family<metrics::Histogram>& latency_;
  metrics::Family<metrics::Counter>& errors_;
  metrics::Gauge& in_flight_;
};

}  // namespace osprey::app
