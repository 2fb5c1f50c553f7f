#pragma once
// ChatCaller: how a workload asks a model something. One blocking chat completion through the
// router (retries, circuit breakers, fallbacks), charged to the job's tenant like an online
// request: budget reserved before, usage-ledger row and cost after. Called from engine worker
// threads, never from an I/O thread. The app wires the implementation (app/router_chat_caller.h)
// and hands it to the workloads that need one when it registers them (app/jobs_component.cpp).
#include <chrono>
#include <cstdint>
#include <string>

#include "core/result.h"
#include "jobs/workload.h"
#include "providers/chat_types.h"
#include "providers/upstream_error.h"

namespace osprey::jobs {

struct ChatCall {
  std::int64_t tenant_id = 0;  // the job's tenant: usage ledger, budget and pricing go to it
  std::int64_t key_id = 0;     // 0 when the job has no key
  providers::ChatRequest request;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct ChatCallReply {
  providers::ChatResponse response;  // response.model is the public model that answered
  std::string deployment;            // which upstream served it
  std::string request_id;            // the id the call was logged and sent upstream with
  std::int64_t cost_micros = 0;      // from the pricing table
  std::chrono::milliseconds latency{0};
};

// The error keeps the shared taxonomy (code: rate_limited, upstream_timeout, invalid_request,
// budget_exceeded, ...) plus what retries need (retry_after, retryable, the upstream's status).
using ChatCallResult = Result<ChatCallReply, providers::UpstreamError>;

class ChatCaller {
 public:
  virtual ~ChatCaller() = default;
  // Blocks until the answer, the deadline or shutdown (kUnavailable "shutting down").
  virtual ChatCallResult call(const ChatCall& call) const = 0;
};

// How a failed call ends an item: rate limits (ours or the upstream's) and queue pressure →
// kRateLimited with the retry-after hint; input that can never succeed (invalid request,
// denied content, unknown or forbidden model, spent budget) → kPermanent; else kRetryable.
// The item's error_code is the error code's stable name.
ItemResult item_failure(const providers::UpstreamError& error);
ItemResult item_failure(const Error& error);

}  // namespace osprey::jobs
