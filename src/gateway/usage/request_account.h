#pragma once
// RequestAccount: the bookkeeping of one authenticated request, opened right after
// authentication and closed exactly once when the answer is complete (for a stream: when it
// ends). Closing it reconciles the tokens bucket with the real usage, settles the budget
// reservation with the real cost and queues the usage-ledger row. Stages fill it as the request
// moves down the pipeline (limits hold, cache hit, answering model and deployment, usage).
// One request owns it (shared_ptr so a stream's completion hook can keep it); not thread-safe.
// Destroyed without finish(): closed as 499 (the request was abandoned).
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "gateway/limits/budget_stage.h"
#include "gateway/limits/rate_limit_stage.h"
#include "gateway/limits/token_estimator.h"
#include "gateway/principal.h"

namespace osprey::gateway {

// What the limits stage took for this request; given back when the account closes.
struct LimitsHold {
  TokenEstimate estimate;
  RateLimitGrant grant;
  BudgetReservation reservation;
  HeaderList headers;  // x-ratelimit-* for the answer
  bool admitted = false;
};

class RequestAccount {
 public:
  using Closer = std::function<void(RequestAccount&)>;

  RequestAccount(const Principal& principal, std::chrono::steady_clock::time_point started,
                 Closer closer);
  ~RequestAccount();
  RequestAccount(const RequestAccount&) = delete;
  RequestAccount& operator=(const RequestAccount&) = delete;

  // The model asked for (before any fallback).
  void set_model(std::string model) { model_ = std::move(model); }
  // Who answered: the public model (differs on fallback) and the deployment id.
  void set_answer(std::string model, std::string deployment) {
    model_ = std::move(model);
    deployment_ = std::move(deployment);
  }
  void set_usage(std::int64_t tokens_in, std::int64_t tokens_out) {
    usage_ = std::make_pair(tokens_in, tokens_out);
  }
  // The answer came from the response cache (no upstream call, no upstream cost).
  void set_cache_hit(bool hit) { cache_hit_ = hit; }

  // Closes the account with the HTTP status the client got (499: client went away). Later
  // calls do nothing.
  void finish(int status);
  bool finished() const { return finished_; }

  const Principal& principal() const { return principal_; }
  const std::string& model() const { return model_; }
  const std::string& deployment() const { return deployment_; }
  const std::optional<std::pair<std::int64_t, std::int64_t>>& usage() const { return usage_; }
  bool cache_hit() const { return cache_hit_; }
  int status() const { return status_; }
  std::chrono::steady_clock::time_point started() const { return started_; }
  LimitsHold& hold() { return hold_; }
  const LimitsHold& hold() const { return hold_; }

 private:
  Principal principal_;
  std::chrono::steady_clock::time_point started_;
  Closer closer_;
  std::string model_;
  std::string deployment_;
  std::optional<std::pair<std::int64_t, std::int64_t>> usage_;
  bool cache_hit_ = false;
  int status_ = 0;
  bool finished_ = false;
  LimitsHold hold_;
};

}  // namespace osprey::gateway
