#pragma once
// RouterChatCaller: the app's jobs::ChatCaller. A workload's call runs as a coroutine on the
// server's io_context (the router and its HTTP client live there) while the engine thread that
// made it waits. The coroutine goes through the same accounting as an online request: the
// limits stage admits it (the plan's rate limits and the tenant's budget reservation), the
// router answers it (retries, breakers, fallbacks), and closing the account settles the budget
// and writes one usage-ledger row (model, deployment, tokens, cost, latency, status). Batch
// calls skip the response cache and admission: the job engine's per-model concurrency limit
// (jobs.resources) is their admission.
// Thread-safe. attach() before the engine starts; close() once the io_context has stopped
// running (after the server's drain) so that calls still waiting end instead of hanging.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>

#include "core/clock.h"
#include "gateway/limits/limits_stage.h"
#include "jobs/chat_caller.h"
#include "net/task.h"
#include "router/model_router.h"
#include "store/store.h"

namespace osprey::app {

// Starts a coroutine on the I/O side (net::Server::spawn in production).
using TaskSpawner = std::function<void(std::function<net::Task<void>()>)>;

struct RouterChatCallerDeps {
  router::ModelRouter& router;
  const gateway::LimitsStage* limits = nullptr;  // null: no budget, no ledger, no cost
  store::Store& store;                           // the job's tenant and key
  const Clock& clock;
  // Deadline of a call that sets none (the router's own per-model deadline may end it sooner).
  std::chrono::milliseconds default_timeout{600'000};
};

class RouterChatCaller final : public jobs::ChatCaller {
 public:
  explicit RouterChatCaller(RouterChatCallerDeps deps);
  ~RouterChatCaller() override;

  void attach(TaskSpawner spawner);
  // Ends every waiting call and every later one with kUnavailable "shutting down". Idempotent.
  void close();

  jobs::ChatCallResult call(const jobs::ChatCall& call) const override;

  struct Pending;  // one call in flight, shared by the waiting thread and its coroutine

 private:
  RouterChatCallerDeps deps_;
  mutable std::mutex mu_;  // guards everything below
  TaskSpawner spawner_;
  bool closed_ = false;
  mutable std::set<std::shared_ptr<Pending>> pending_;
};

}  // namespace osprey::app
