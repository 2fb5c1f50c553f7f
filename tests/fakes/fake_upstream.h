#pragma once
// FakeUpstream: a fake model provider speaking one vendor's real wire format (OpenAI,
// Anthropic, Ollama or Bedrock) on 127.0.0.1, with deterministic answers, request recording and
// fault injection (errors, latency, hangs, cut streams, malformed bodies, dead server). Used
// in-process by gtest suites and, through `osprey-fake-upstream`, by Node tests and benchmarks.
// Answers, knobs and the `/_fake/*` control endpoints are described in tests/fakes/README.md.
// Thread-safety: every method may be called from any thread while the server runs.
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "fakes/fake_batch_service.h"
#include "fakes/fault_config.h"
#include "fakes/personality.h"
#include "fakes/recorded_request.h"

namespace osprey::fakes {

struct FakeUpstreamOptions {
  Vendor vendor = Vendor::kOpenAi;
  std::uint16_t port = 0;  // 0: an ephemeral port, see port()
  int io_threads = 2;
  // OpenAI: required as `Authorization: Bearer <key>` when set. Anthropic: `x-api-key` must
  // equal it when set (some key is always required). Bedrock: the SigV4 access key id must
  // equal it when set. Ollama: ignored.
  std::string api_key;
  std::vector<std::string> models;  // listed by the probe endpoint; vendor defaults when empty
  std::uint64_t seed = 1;           // drives fail_rate decisions
  FaultConfig faults;
  std::size_t record_limit = 10'000;  // oldest requests are dropped beyond this; 0: no recording
  std::vector<ScriptRule> script;     // answers chosen by request content (scripted_answer.h)
};

struct FakeStats {
  std::uint64_t calls = 0;  // every non-control request
  std::uint64_t chat_calls = 0;
  std::uint64_t probe_calls = 0;
  std::int64_t in_flight = 0;   // chat calls being answered now
  std::uint64_t cancelled = 0;  // chat calls whose client left before the answer was complete
  std::uint64_t injected_failures = 0;  // errors from `status` or `fail_rate`
};

class FakeUpstream {
 public:
  explicit FakeUpstream(FakeUpstreamOptions options);
  ~FakeUpstream();
  FakeUpstream(const FakeUpstream&) = delete;
  FakeUpstream& operator=(const FakeUpstream&) = delete;

  // Binds and starts serving on background threads.
  Status start();
  // Closes every connection and joins the threads. Idempotent; also done by the destructor.
  void stop();

  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:<port>"
  Vendor vendor() const { return options_.vendor; }

  // Requests received so far (control requests excluded), oldest first.
  std::vector<RecordedRequest> requests() const;
  void clear_requests();
  FakeStats stats() const;

  FaultConfig faults() const;
  void set_faults(const FaultConfig& faults);
  // Same semantics as `POST /_fake/faults`.
  Status patch_faults(const nlohmann::json& patch);

 private:
  Task<void> handle(const RecordedRequest& req, FakeExchange& ex);
  Task<void> handle_chat(const RecordedRequest& req, FakeExchange& ex, const FaultConfig& f);
  Task<void> handle_control(const RecordedRequest& req, FakeExchange& ex);
  Task<void> send_stream(FakeExchange& ex, StreamPlan plan, const FaultConfig& f);
  Task<void> send(FakeExchange& ex, const Reply& reply);
  bool draw_failure(double fail_rate);
  void record(const RecordedRequest& req);
  nlohmann::json requests_json() const;
  nlohmann::json stats_json() const;

  const FakeUpstreamOptions options_;
  const std::unique_ptr<Personality> personality_;
  // The vendor's batch API (OpenAI, Anthropic); null for the others.
  std::unique_ptr<FakeBatchService> batch_;

  mutable std::mutex mu_;  // guards faults_ and requests_
  FaultConfig faults_;
  std::deque<RecordedRequest> requests_;

  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> chat_calls_{0};
  std::atomic<std::uint64_t> probe_calls_{0};
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::uint64_t> cancelled_{0};
  std::atomic<std::uint64_t> injected_failures_{0};
  std::atomic<std::uint64_t> failure_draws_{0};
  std::atomic<std::uint64_t> seq_{0};

  std::unique_ptr<FakeHttpServer> server_;
};

}  // namespace osprey::fakes
