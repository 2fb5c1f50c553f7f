#include "batch/batch_adapter.h"

#include <gtest/gtest.h>

namespace osprey::batch {
namespace {

TEST(BatchState, NamesRoundTrip) {
  for (BatchState s : {BatchState::kSubmitted, BatchState::kValidating, BatchState::kScheduled,
                       BatchState::kInProgress, BatchState::kFinalizing, BatchState::kCompleted,
                       BatchState::kFailed, BatchState::kExpired, BatchState::kCancelling,
                       BatchState::kCancelled}) {
    auto parsed = parse_batch_state(batch_state_name(s));
    ASSERT_TRUE(parsed.has_value()) << batch_state_name(s);
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_FALSE(parse_batch_state("Scheduled").has_value());
}

TEST(BatchState, TerminalAndNotYetRunning) {
  EXPECT_TRUE(is_terminal(BatchState::kCompleted));
  EXPECT_TRUE(is_terminal(BatchState::kCancelled));
  EXPECT_FALSE(is_terminal(BatchState::kCancelling));
  EXPECT_FALSE(is_terminal(BatchState::kFinalizing));
  EXPECT_TRUE(is_not_yet_running(BatchState::kScheduled));
  EXPECT_TRUE(is_not_yet_running(BatchState::kValidating));
  EXPECT_FALSE(is_not_yet_running(BatchState::kInProgress));
}

TEST(Padding, IdsAreRecognizable) {
  EXPECT_EQ(padding_record_id(7), "osprey-pad-000007");
  EXPECT_TRUE(is_padding_record_id(padding_record_id(123)));
  EXPECT_FALSE(is_padding_record_id("req-1"));
}

}  // namespace
}  // namespace osprey::batch
