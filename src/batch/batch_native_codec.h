#pragma once
// BatchNativeCodec: the `batch` workload as the native batch driver sees it. A job's mode is
// spec.mode (batch_mode.h); its model is the job's resource (the batch's one model); an item's
// request is its line's body; an answered record gets the same output line as sync mode
// (batch_output.h success_line) and a failed one becomes the item's dead letter with the
// vendor's code and message, so the output and error files look the same in every mode.
#include "batch/native_item_codec.h"

namespace osprey::batch {

// The chat request of a batch item ({"line", "body", "key_id"}, BatchWorkload::plan_for):
// its body parsed as /v1/chat/completions does; kInvalidRequest when it has none. Sync mode
// (BatchWorkload::run) and native mode read an item through this one function.
Result<providers::ChatRequest> batch_item_request(const nlohmann::json& item_input);

class BatchNativeCodec final : public NativeItemCodec {
 public:
  NativeMode mode(const nlohmann::json& spec) const override;
  std::string model(const nlohmann::json& spec) const override;
  Result<providers::ChatRequest> request(const nlohmann::json& item_input) const override;
  jobs::ItemResult answered(std::int64_t item_id, std::string_view key,
                            const nlohmann::json& item_input,
                            const providers::ChatResponse& response) const override;
  jobs::ItemResult errored(std::int64_t item_id, std::string_view key,
                           const nlohmann::json& item_input,
                           const RecordOutcome& outcome) const override;
};

}  // namespace osprey::batch
