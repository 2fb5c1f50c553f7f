#include "batch/batch_native_codec.h"

#include "batch/batch_mode.h"
#include "batch/batch_output.h"
#include "providers/openai/openai_request_parser.h"
#include "providers/openai/openai_response_writer.h"

namespace osprey::batch {

Result<providers::ChatRequest> batch_item_request(const nlohmann::json& item_input) {
  const auto body = item_input.find("body");  // end() for a non-object too
  if (body == item_input.end()) {
    return make_error(ErrorCode::kInvalidRequest, "the item has no request body");
  }
  return providers::openai::parse_chat_request(*body);
}

NativeMode BatchNativeCodec::mode(const nlohmann::json& spec) const {
  auto mode = batch_mode_of(spec);
  return mode && *mode == BatchMode::kAuto ? NativeMode::kAuto : NativeMode::kNative;
}

std::string BatchNativeCodec::model(const nlohmann::json& spec) const {
  (void)spec;
  return {};  // the job's resource: the model every line asks
}

Result<providers::ChatRequest> BatchNativeCodec::request(const nlohmann::json& item_input) const {
  return batch_item_request(item_input);
}

jobs::ItemResult BatchNativeCodec::answered(std::int64_t item_id, std::string_view key,
                                            const nlohmann::json& item_input,
                                            const providers::ChatResponse& response) const {
  (void)item_input;
  return jobs::ItemResult::success(success_line(item_id, std::string(key), response.id,
                                                providers::openai::render_chat_response(response)));
}

jobs::ItemResult BatchNativeCodec::errored(std::int64_t item_id, std::string_view key,
                                           const nlohmann::json& item_input,
                                           const RecordOutcome& outcome) const {
  (void)item_id;
  (void)key;
  (void)item_input;
  return jobs::ItemResult::failure(jobs::Outcome::kPermanent, outcome.error_code,
                                   outcome.error_message);
}

}  // namespace osprey::batch
