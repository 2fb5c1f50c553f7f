#include "store/job_records.h"

#include <array>
#include <utility>

namespace osprey::store {
namespace {

constexpr std::array<std::pair<JobState, std::string_view>, 6> kJobStates = {{
    {JobState::kQueued, "queued"},
    {JobState::kRunning, "running"},
    {JobState::kSucceeded, "succeeded"},
    {JobState::kPartiallySucceeded, "partially_succeeded"},
    {JobState::kFailed, "failed"},
    {JobState::kCancelled, "cancelled"},
}};

constexpr std::array<std::pair<ItemState, std::string_view>, 7> kItemStates = {{
    {ItemState::kReady, "ready"},
    {ItemState::kLeased, "leased"},
    {ItemState::kRetryWait, "retry_wait"},
    {ItemState::kDone, "done"},
    {ItemState::kDead, "dead"},
    {ItemState::kPaused, "paused"},
    {ItemState::kCancelled, "cancelled"},
}};

}  // namespace

std::string_view job_state_name(JobState state) {
  for (const auto& [value, name] : kJobStates) {
    if (value == state) return name;
  }
  return "unknown";
}

std::string_view item_state_name(ItemState state) {
  for (const auto& [value, name] : kItemStates) {
    if (value == state) return name;
  }
  return "unknown";
}

std::optional<JobState> parse_job_state(std::string_view name) {
  for (const auto& [value, text] : kJobStates) {
    if (text == name) return value;
  }
  return std::nullopt;
}

std::optional<ItemState> parse_item_state(std::string_view name) {
  for (const auto& [value, text] : kItemStates) {
    if (text == name) return value;
  }
  return std::nullopt;
}

}  // namespace osprey::store
