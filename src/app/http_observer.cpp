#include "app/http_observer.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <string>

#include "core/log.h"

namespace osprey::app {

HttpObserver::HttpObserver(metrics::Registry& registry, bool access_log)
    : access_log_(access_log),
      requests_(registry.counter("osprey_http_requests_total",
                                 "HTTP requests answered, by route pattern, method and status.",
                                 {"route", "method", "status"})),
      latency_(registry.histogram("osprey_http_request_duration_seconds",
                                  "Time from the first byte of a request to its last byte written.",
                                  {"route", "status"}, metrics::latency_buckets_seconds())),
      errors_(registry.counter("osprey_http_errors_total", "Error responses by stable error code.",
                               {"code"})),
      in_flight_(registry.gauge("osprey_http_requests_in_flight", "Requests being handled now.")
                     .with({})) {}

net::ServerHooks HttpObserver::hooks() {
  net::ServerHooks hooks;
  hooks.on_request_end = [this](const net::RequestRecord& r) { on_request_end(r); };
  hooks.on_in_flight = [this](int delta) { in_flight_.inc(delta); };
  hooks.on_event = [](std::string_view what, std::string_view detail) {
    log::warn("http_server_event", {{"event", what}, {"detail", detail}});
  };
  return hooks;
}

void HttpObserver::on_request_end(const net::RequestRecord& r) {
  char status_digits[12];
  const std::string_view status(
      status_digits,
      std::to_chars(status_digits, status_digits + sizeof status_digits, r.status).ptr);
  const double seconds = std::chrono::duration<double>(r.latency).count();
  requests_.with({r.route, r.method, status}).inc();
  latency_.with({r.route, status}).observe(seconds);
  if (r.error) errors_.with({code_name(*r.error)}).inc();
  if (!access_log_) return;
  const LogLevel level = r.status >= 500 ? LogLevel::kError : LogLevel::kInfo;
  if (!log::enabled(level)) return;
  std::string_view path = r.target.substr(0, r.target.find('?'));
  const double latency_ms = std::round(seconds * 1e6) / 1e3;  // microsecond precision is enough
  const std::string_view code = r.error ? code_name(*r.error) : std::string_view("ok");
  // The route pattern, the error code and the peer address come from the server itself, so they
  // skip the PII redactor; what the client chose (request id, method, path) does not.
  // Keys escaped once; the values below come in the same order.
  static const log::Keys kKeys{"request_id", "method",     "route",    "path",      "status",
                               "code",       "latency_ms", "bytes_in", "bytes_out", "remote"};
  log::write(level, "http_request", kKeys,
             {r.request_id, r.method, log::Field::verbatim(r.route), path, r.status,
              log::Field::verbatim(code), latency_ms, static_cast<std::uint64_t>(r.bytes_in),
              static_cast<std::uint64_t>(r.bytes_out), log::Field::verbatim(r.remote_addr)});
}

}  // namespace osprey::app
