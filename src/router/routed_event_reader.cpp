#include "router/routed_event_reader.h"

#include <algorithm>
#include <exception>
#include <utility>
#include <variant>

#include "core/log.h"

namespace osprey::router {

RoutedEventReader::RoutedEventReader(std::unique_ptr<providers::ChatEventReader> inner,
                                     std::optional<providers::StreamEvent> first,
                                     std::shared_ptr<Deployment> deployment,
                                     OutstandingGuard outstanding, std::string request_id,
                                     const Clock& clock,
                                     std::chrono::steady_clock::time_point started)
    : inner_(std::move(inner)),
      first_(std::move(first)),
      inner_ended_(!first_.has_value()),
      deployment_(std::move(deployment)),
      outstanding_(std::move(outstanding)),
      request_id_(std::move(request_id)),
      clock_(clock),
      started_(started) {
  if (first_) note_usage(*first_);
}

RoutedEventReader::~RoutedEventReader() {
  // Dropped before the end: the client went away (or the caller gave up); not the upstream's
  // fault, so nothing is recorded on the breaker.
  finish("cancelled");
}

net::Task<providers::UpstreamResult<std::optional<providers::StreamEvent>>>
RoutedEventReader::next() {
  using Result = providers::UpstreamResult<std::optional<providers::StreamEvent>>;
  if (first_pending_) {
    first_pending_ = false;
    // The router settled the attempt's permit (a success) before handing this reader out.
    breaker_generation_ = deployment_->state().breaker().generation();
    if (inner_ended_) finish("success");
    co_return Result(std::exchange(first_, std::nullopt));
  }
  if (finished_ || inner_ended_) co_return Result(std::optional<providers::StreamEvent>());
  std::optional<Result> r;
  try {
    r.emplace(co_await inner_->next());
  } catch (const std::exception& e) {
    providers::UpstreamError error;
    error.code = ErrorCode::kInternal;
    error.message = std::string("stream reader failed: ") + e.what();
    r.emplace(std::move(error));
  }
  if (!r->ok()) {
    const providers::UpstreamError& error = r->error();
    if (error.code != ErrorCode::kClientClosed) {
      deployment_->state().breaker().record_failure_since(breaker_generation_);
      deployment_->families()
          .errors.with({deployment_->model(), deployment_->id(), code_name(error.code)})
          .inc();
      log::warn("stream_failed_midway", {{"request_id", request_id_},
                                         {"model", deployment_->model()},
                                         {"deployment", deployment_->id()},
                                         {"reason", code_name(error.code)},
                                         {"message", error.message}});
      finish("error");
    } else {
      finish("cancelled");
    }
    co_return std::move(*r);
  }
  if (!r->value().has_value()) {
    inner_ended_ = true;
    finish("success");
  } else {
    note_usage(*r->value());
  }
  co_return std::move(*r);
}

void RoutedEventReader::note_usage(const providers::StreamEvent& event) {
  if (const auto* usage = std::get_if<providers::UsageEvent>(&event)) {
    input_tokens_ = std::max(input_tokens_, usage->input_tokens);
    output_tokens_ = std::max(output_tokens_, usage->output_tokens);
  }
}

void RoutedEventReader::finish(std::string_view outcome) {
  if (finished_) return;
  finished_ = true;
  const auto& m = deployment_->metrics();
  deployment_->families().requests.with({deployment_->model(), deployment_->id(), outcome}).inc();
  m.duration.observe(std::chrono::duration<double>(clock_.now() - started_).count());
  if (input_tokens_ > 0) m.tokens_in.inc(static_cast<double>(input_tokens_));
  if (output_tokens_ > 0) m.tokens_out.inc(static_cast<double>(output_tokens_));
  outstanding_.release();
}

}  // namespace osprey::router
