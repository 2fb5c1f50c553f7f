#include "batch/batch_adapter.h"

#include <array>
#include <cstdio>

namespace osprey::batch {
namespace {

constexpr std::array<std::pair<BatchState, std::string_view>, 10> kNames{{
    {BatchState::kSubmitted, "submitted"},
    {BatchState::kValidating, "validating"},
    {BatchState::kScheduled, "scheduled"},
    {BatchState::kInProgress, "in_progress"},
    {BatchState::kFinalizing, "finalizing"},
    {BatchState::kCompleted, "completed"},
    {BatchState::kFailed, "failed"},
    {BatchState::kExpired, "expired"},
    {BatchState::kCancelling, "cancelling"},
    {BatchState::kCancelled, "cancelled"},
}};

constexpr std::string_view kPaddingPrefix = "osprey-pad-";

}  // namespace

std::string_view batch_state_name(BatchState state) {
  for (const auto& [s, name] : kNames) {
    if (s == state) return name;
  }
  return "submitted";
}

std::optional<BatchState> parse_batch_state(std::string_view name) {
  for (const auto& [s, n] : kNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

bool is_terminal(BatchState state) {
  return state == BatchState::kCompleted || state == BatchState::kFailed ||
         state == BatchState::kExpired || state == BatchState::kCancelled;
}

bool is_not_yet_running(BatchState state) {
  return state == BatchState::kSubmitted || state == BatchState::kValidating ||
         state == BatchState::kScheduled;
}

providers::ChatRequest BatchAdapter::padding_request(const BatchSubmission& submission) const {
  providers::ChatRequest request;
  request.model = submission.upstream_model;
  providers::Message message;
  message.content.push_back(providers::TextBlock{"ok"});
  request.messages.push_back(std::move(message));
  request.inference.max_tokens = 1;
  return request;
}

Status cancel_refused(const BatchAdapter& adapter, const SubmittedBatch& batch, Error refused) {
  auto status = adapter.poll(batch);
  if (status && is_terminal(status->state)) return {};
  return refused;
}

std::string padding_record_id(std::size_t n) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%06zu", n);
  return std::string(kPaddingPrefix) + digits;
}

bool is_padding_record_id(std::string_view record_id) {
  return record_id.starts_with(kPaddingPrefix);
}

}  // namespace osprey::batch
